package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad configuration fails fast, with one line naming the setting to fix. */
class SpeedLayerMainIT {

  static String check(TidemarkConfig cfg) throws Exception {
    List<String> args = new ArrayList<>();
    args.add("check");
    cfg.explicitValues().forEach((k, v) -> args.add("-D" + k + "=" + v));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = SpeedLayerMain.run(args.toArray(String[]::new), Map.of(), new PrintStream(new ByteArrayOutputStream()), e);
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isEqualTo(code == 0 ? 0 : 2);
    assertThat(text.lines().count()).as(text).isLessThanOrEqualTo(1);
    return text.strip();
  }

  @Test
  void goodConfigurationPassesTheCheck() throws Exception {
    assertThat(check(SpeedIt.isolatedConfig("speedmain"))).isEmpty();
  }

  @Test
  void unreachableBrokerNamesTheBootstrapSetting() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedmain").with(KafkaOptions.BOOTSTRAP, "localhost:1");
    long start = System.nanoTime();
    assertThat(check(cfg))
        .isEqualTo("speed-layer: Cannot reach Kafka at localhost:1 within 15 s: check tidemark.kafka.bootstrap (TIDEMARK_KAFKA_BOOTSTRAP)");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
  }

  @Test
  void missingTableSaysToMigrate() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedmain").with(ClickHouseOptions.DATABASE, "no_such_db");
    assertThat(check(cfg))
        .isEqualTo("speed-layer: ClickHouse table no_such_db.user_page_counts_store does not exist at "
            + cfg.get(ClickHouseOptions.URL) + ": run ./tidemark migrate, or check tidemark.clickhouse.database");
  }

  @Test
  void wrongPasswordNamesTheCredentials() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedmain").with(ClickHouseOptions.PASSWORD, "wrong");
    assertThat(check(cfg))
        .startsWith("speed-layer: ClickHouse at " + cfg.get(ClickHouseOptions.URL) + " rejected user 'default'")
        .endsWith("check tidemark.clickhouse.user and tidemark.clickhouse.password");
  }

  @Test
  void missingTopicSaysToMigrate() throws Exception {
    TidemarkConfig cfg = SpeedIt.isolatedConfig("speedmain").with(KafkaOptions.LATE_TOPIC, "no_such_topic");
    assertThat(check(cfg))
        .isEqualTo("speed-layer: Kafka topic no_such_topic does not exist at " + cfg.get(KafkaOptions.BOOTSTRAP)
            + ": run ./tidemark migrate, or check the tidemark.kafka.*-topic settings");
  }
}
