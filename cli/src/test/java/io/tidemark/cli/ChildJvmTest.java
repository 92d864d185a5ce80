package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {
  @TempDir Path dir;

  @Test
  void aChildSeesTheParentsOverrideNotTheVariableItInherits() throws Exception {
    Map<String, String> parentEnv = new HashMap<>(Map.of(
        "TIDEMARK_CLICKHOUSE_URL", "http://from-env:8123",
        "TIDEMARK_KAFKA_BOOTSTRAP", "env-broker:9092",
        "TIDEMARK_SPEED_PARALLELISM", "3", // a key this parent does not resolve: the child reads it
        "PATH", "/usr/bin"));
    var known = List.<io.tidemark.core.config.ConfigOption<?>>of(ClickHouseOptions.URL, KafkaOptions.BOOTSTRAP);
    TidemarkConfig resolved = TidemarkConfig.load(null, parentEnv,
        Map.of(ClickHouseOptions.URL.key(), "http://from-d:8123"), known);
    Path file = dir.resolve("child.properties");
    resolved.store(file, "test");

    Map<String, String> childEnv = new HashMap<>(parentEnv);
    ChildJvm.withoutInheritedOverrides(childEnv, resolved);

    assertThat(childEnv).doesNotContainKeys("TIDEMARK_CLICKHOUSE_URL", "TIDEMARK_KAFKA_BOOTSTRAP")
        .containsEntry("TIDEMARK_SPEED_PARALLELISM", "3").containsEntry("PATH", "/usr/bin");
    // what the child loads: its file, then its environment
    TidemarkConfig child = TidemarkConfig.load(file, childEnv, Map.of(), known);
    assertThat(child.get(ClickHouseOptions.URL)).isEqualTo("http://from-d:8123");
    assertThat(child.get(KafkaOptions.BOOTSTRAP)).isEqualTo("env-broker:9092");
    // before: the inherited variable won over the file
    assertThat(TidemarkConfig.load(file, parentEnv, Map.of(), known).get(ClickHouseOptions.URL))
        .isEqualTo("http://from-env:8123");
  }
}
