package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.speed.source.StartingOffsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SpeedOptionsTest {

  @Test
  void docsTableIsTheOneGeneratedFromTheDeclarations() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "speed-layer.md"));
    int b = doc.indexOf(SpeedOptionsDoc.BEGIN);
    int e = doc.indexOf(SpeedOptionsDoc.END);
    assertThat(b).as("begin marker in docs/speed-layer.md").isNotNegative();
    assertThat(doc.substring(b + SpeedOptionsDoc.BEGIN.length() + 1, e))
        .as("regenerate with: java -cp ... io.tidemark.speed.SpeedOptionsDoc")
        .isEqualTo(SpeedOptionsDoc.table());
  }

  @Test
  void everyKeyIsUniqueInTheSpeedNamespaceAndDescribed() {
    var keys = new HashSet<String>();
    for (ConfigOption<?> o : SpeedOptions.all()) {
      assertThat(keys.add(o.key())).as(o.key()).isTrue();
      assertThat(o.key()).startsWith("tidemark.speed.");
      assertThat(o.description()).endsWith(".");
    }
  }

  @Test
  void defaultsAreValid() {
    SpeedOptions.validate(TidemarkConfig.of(Map.of()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tidemark.speed.state-backend|memory|Invalid value 'memory' for tidemark.speed.state-backend: expected hashmap or rocksdb",
        "tidemark.speed.side-output-guarantee|none|Invalid value 'none' for tidemark.speed.side-output-guarantee: expected at-least-once or exactly-once",
        "tidemark.speed.starting-offsets|yesterday|Invalid value 'yesterday' for tidemark.speed.starting-offsets: expected committed, earliest, latest or timestamp:<epoch-ms>",
        "tidemark.speed.parallelism|0|tidemark.speed.parallelism must be positive, got 0",
        "tidemark.speed.sink.batch-size|-1|tidemark.speed.sink.batch-size must be positive, got -1",
        "tidemark.speed.sink.max-retries|-1|tidemark.speed.sink.max-retries must be 0 or more, got -1",
        "tidemark.speed.checkpoint-interval|0s|tidemark.speed.checkpoint-interval must be positive, got PT0S",
      })
  void rejectsInvalidValuesNamingTheKey(String key, String value, String message) {
    assertThatThrownBy(() -> SpeedOptions.validate(TidemarkConfig.of(Map.of(key, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void startingOffsetsAcceptsEveryDocumentedForm() {
    for (String v : new String[] {"committed", "earliest", "latest", "timestamp:1764000000000"}) {
      assertThat(StartingOffsets.parse(v)).as(v).isNotNull();
    }
    assertThatThrownBy(() -> StartingOffsets.parse("timestamp:-3")).isInstanceOf(ConfigException.class);
  }
}
