package io.tidemark.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.TidemarkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchOptionsTest {
  private static TidemarkConfig conf(String value) {
    return TidemarkConfig.of(Map.of(BatchOptions.SPARK_CONF.key(), value));
  }

  @Test
  void sparkConfIsSplitOnWhitespaceIntoPropertiesInTheGivenOrder() {
    assertThat(BatchOptions.sparkConf(conf("  spark.executor.extraClassPath=/opt/t/lib/*:/opt/t/core.jar\n"
            + "spark.cores.max=4   spark.jars=a.jar,b.jar spark.x=")))
        .containsExactly(
            Map.entry("spark.executor.extraClassPath", "/opt/t/lib/*:/opt/t/core.jar"),
            Map.entry("spark.cores.max", "4"),
            Map.entry("spark.jars", "a.jar,b.jar"),
            Map.entry("spark.x", ""));
    assertThat(BatchOptions.sparkConf(TidemarkConfig.of(Map.of()))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"spark.cores.max", "cores=4", "=4", "hadoop.fs.x=1"})
  void sparkConfEntriesMustBeSparkProperties(String entry) {
    assertThatThrownBy(() -> BatchOptions.sparkConf(conf("spark.cores.max=1 " + entry)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid entry '" + entry + "' in tidemark.batch.spark-conf (TIDEMARK_BATCH_SPARK_CONF):"
            + " expected spark.<property>=<value>");
  }
}
