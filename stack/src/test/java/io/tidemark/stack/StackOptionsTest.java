package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StackOptionsTest {

  static Stream<Arguments> defaults() {
    return Stream.of(
        Arguments.of(StackOptions.KAFKA_PORT, "tidemark.stack.kafka-port", 19092),
        Arguments.of(StackOptions.KAFKA_CONTROLLER_PORT, "tidemark.stack.kafka-controller-port", 19093),
        Arguments.of(StackOptions.CLICKHOUSE_HTTP_PORT, "tidemark.stack.clickhouse-http-port", 18123),
        Arguments.of(StackOptions.CLICKHOUSE_TCP_PORT, "tidemark.stack.clickhouse-tcp-port", 19000),
        Arguments.of(StackOptions.CLICKHOUSE_INTERSERVER_PORT, "tidemark.stack.clickhouse-interserver-port", 19009),
        Arguments.of(StackOptions.S3_PORT, "tidemark.stack.s3-port", 18333),
        Arguments.of(StackOptions.START_TIMEOUT, "tidemark.stack.start-timeout", Duration.ofSeconds(90)));
  }

  @ParameterizedTest
  @MethodSource("defaults")
  void declaresKeyAndDefault(ConfigOption<?> option, String key, Object defaultValue) {
    assertThat(option.key()).isEqualTo(key);
    assertThat(option.defaultValue()).isEqualTo(defaultValue);
    assertThat(StackOptions.all()).contains(option);
  }

  @Test
  void everyOptionIsDescribedOnceUnderTheStackPrefix() {
    assertThat(StackOptions.all()).doesNotHaveDuplicates();
    assertThat(StackOptions.all())
        .allSatisfy(
            o -> {
              assertThat(o.key()).startsWith("tidemark.stack.");
              assertThat(o.description()).isNotBlank().endsWith(".");
            });
  }

  @Test
  void homeDefaultsToDotTidemarkUnderTheProjectRoot(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("stack/runtime-kafka"));
    Files.writeString(root.resolve("stack/runtime-kafka/pom.xml"), "<project/>");
    Path module = Files.createDirectories(root.resolve("cli/src"));
    assertThat(StackOptions.projectRoot(Map.of(), module)).isEqualTo(root.toAbsolutePath().normalize());
    assertThat(StackOptions.projectRoot(Map.of("TIDEMARK_HOME", "/opt/tm"), module)).isEqualTo(Path.of("/opt/tm"));
    assertThat(StackOptions.projectRoot(Map.of(), root.getParent())).isEqualTo(root.getParent().toAbsolutePath().normalize());
  }

  @Test
  void configuredHomeWins() {
    assertThat(StackOptions.home(TidemarkConfig.of(Map.of("tidemark.stack.home", "/srv/tm/./data"))))
        .isEqualTo(Path.of("/srv/tm/data"));
  }
}
