package io.tidemark.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TidemarkConfigTest {
  private static final ConfigOption<Duration> LATENESS =
      ConfigOption.durationKey("tidemark.test.allowed-lateness")
          .defaultValue(Duration.ofMinutes(2))
          .description("test");

  private static List<ConfigOption<?>> known() {
    List<ConfigOption<?>> all = new ArrayList<>(KafkaOptions.all());
    all.addAll(ClickHouseOptions.all());
    all.addAll(LakeOptions.all());
    all.add(LATENESS);
    return all;
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    TidemarkConfig c = TidemarkConfig.load(null, Map.of(), Map.of(), known());
    assertThat(c.get(KafkaOptions.EVENTS_TOPIC)).isEqualTo("pageview_events");
    assertThat(c.get(LATENESS)).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.get(KafkaOptions.BOOTSTRAP)).isNull();
    assertThat(c.isSet(KafkaOptions.BOOTSTRAP)).isFalse();
  }

  @Test
  void precedenceIsFileThenEnvThenOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("t.properties");
    Files.writeString(file, "tidemark.kafka.partitions=8\ntidemark.kafka.bootstrap=file:9092\ntidemark.test.allowed-lateness=30s\n");
    TidemarkConfig c = TidemarkConfig.load(
        file,
        Map.of("TIDEMARK_KAFKA_BOOTSTRAP", "env:9092", "TIDEMARK_TEST_ALLOWED_LATENESS", "90s"),
        Map.of("tidemark.test.allowed-lateness", "5m"),
        known());
    assertThat(c.get(KafkaOptions.PARTITIONS)).isEqualTo(8);
    assertThat(c.get(KafkaOptions.BOOTSTRAP)).isEqualTo("env:9092");
    assertThat(c.get(LATENESS)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void configFileFromEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("t.properties");
    Files.writeString(file, "tidemark.clickhouse.database=analytics\n");
    TidemarkConfig c = TidemarkConfig.load(null, Map.of("TIDEMARK_CONFIG", file.toString()), Map.of(), known());
    assertThat(c.get(ClickHouseOptions.DATABASE)).isEqualTo("analytics");
  }

  @Test
  void missingConfigFileIsOneClearLine(@TempDir Path dir) {
    assertThatThrownBy(() -> TidemarkConfig.load(dir.resolve("nope.properties"), Map.of(), Map.of(), known()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.properties does not exist (set by --config or TIDEMARK_CONFIG)");
  }

  @Test
  void unknownKeyFailsWithSuggestion() {
    TidemarkConfig c = TidemarkConfig.of(Map.of("tidemark.kafka.bootstrp", "x:1"));
    assertThatThrownBy(() -> c.validate(known()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Unknown configuration key tidemark.kafka.bootstrp (did you mean tidemark.kafka.bootstrap?)");
  }

  @Test
  void badValueNamesKeyEnvAndExpectedType() {
    TidemarkConfig c = TidemarkConfig.of(Map.of("tidemark.kafka.partitions", "four"));
    assertThatThrownBy(() -> c.validate(known()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 'four' for tidemark.kafka.partitions (TIDEMARK_KAFKA_PARTITIONS): expected a whole number");
  }

  @Test
  void secretsAreNeverRendered() {
    TidemarkConfig c = TidemarkConfig.of(Map.of("tidemark.clickhouse.password", "hunter2"));
    assertThat(ClickHouseOptions.PASSWORD.format(c.get(ClickHouseOptions.PASSWORD))).isEqualTo("***");
    assertThatThrownBy(() -> TidemarkConfig.of(Map.of("tidemark.s3.path-style-access", "hunter2")).validate(known()))
        .hasMessageContaining("expected true or false");
  }

  @Test
  void requireNamesKeyAndEnv() {
    TidemarkConfig c = TidemarkConfig.of(Map.of());
    assertThatThrownBy(() -> c.require(KafkaOptions.BOOTSTRAP))
        .hasMessage("Property tidemark.kafka.bootstrap is required but not provided (set it or TIDEMARK_KAFKA_BOOTSTRAP)");
  }

  @Test
  void durationsParseAndFormat() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
  }

  @Test
  void everyDeclaredOptionIsDocumentedAndMapsToEnv() {
    for (ConfigOption<?> o : known()) {
      assertThat(o.description()).as(o.key()).isNotBlank();
      assertThat(o.envName()).matches("TIDEMARK_[A-Z0-9_]+");
    }
  }

  @Test
  void keysMustFollowTheNamingRule() {
    assertThatThrownBy(() -> ConfigOption.stringKey("kafka.Bootstrap"))
        .hasMessageContaining("must look like tidemark.<component>.<name-with-dashes>");
  }

  @Test
  void keysOfComponentsOwnedByOtherProcessesAreLeftToThem() {
    TidemarkConfig c = TidemarkConfig.of(Map.of("tidemark.speed.parallelism", "2"));
    assertThat(c.validate(known())).isSameAs(c);
  }

  @Test
  void unknownComponentFails() {
    TidemarkConfig c = TidemarkConfig.of(Map.of("tidemark.spead.parallelism", "2"));
    assertThatThrownBy(() -> c.validate(known()))
        .hasMessageStartingWith("Unknown configuration key tidemark.spead.parallelism (no component 'spead'");
  }
}
