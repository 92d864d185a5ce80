package io.tidemark.stack;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Path;

/**
 * The one place that decides where each service is: the endpoint the user configured, else the
 * local stack's.
 *
 * <p>Every command calls {@link #resolve} before it connects anywhere, so setting {@code
 * TIDEMARK_KAFKA_BOOTSTRAP} (or the matching key in a properties file) points all of Tidemark at an
 * existing cluster while the other services still come from the local stack.
 */
public final class Endpoints {
  private Endpoints() {}

  /**
   * Returns {@code cfg} with {@code tidemark.kafka.bootstrap}, {@code tidemark.clickhouse.url},
   * {@code tidemark.s3.endpoint}, {@code tidemark.catalog.uri} and {@code
   * tidemark.schema-registry.url} filled with the local stack's
   * addresses wherever they are not set, and {@code tidemark.stack.home} pinned, so that a child
   * JVM given the result's {@link TidemarkConfig#explicitValues()} sees the same endpoints.
   * Idempotent: resolving a resolved configuration returns an equal one.
   */
  public static TidemarkConfig resolve(TidemarkConfig cfg) {
    TidemarkConfig out = cfg;
    if (!cfg.isSet(StackOptions.HOME)) {
      out = out.with(StackOptions.HOME, StackOptions.home(cfg).toString());
    }
    for (Service s : Service.values()) {
      if (!out.isSet(option(s))) {
        out = out.with(option(s), localAddress(out, s));
      }
    }
    return out;
  }

  /**
   * Whether the user pointed {@code service} at an existing deployment: its endpoint option is set
   * to something other than the local stack's own address. An external service is never started
   * by {@link LocalStack}, only health-checked.
   */
  public static boolean isExternal(TidemarkConfig cfg, Service service) {
    if (!cfg.isSet(option(service))) {
      return false;
    }
    return !cfg.get(option(service)).equals(localAddress(cfg, service));
  }

  /** The option that holds the endpoint of {@code service}. */
  public static ConfigOption<String> option(Service service) {
    return switch (service) {
      case KAFKA -> KafkaOptions.BOOTSTRAP;
      case CLICKHOUSE -> ClickHouseOptions.URL;
      case S3 -> LakeOptions.S3_ENDPOINT;
      case CATALOG -> LakeOptions.CATALOG_URI;
      case SCHEMA_REGISTRY -> SchemaRegistryOptions.URL;
    };
  }

  /** The address the local stack gives {@code service} under this configuration. */
  public static String localAddress(TidemarkConfig cfg, Service service) {
    return switch (service) {
      case KAFKA -> "localhost:" + cfg.get(StackOptions.KAFKA_PORT);
      case CLICKHOUSE -> "http://localhost:" + cfg.get(StackOptions.CLICKHOUSE_HTTP_PORT);
      case S3 -> "http://localhost:" + cfg.get(StackOptions.S3_PORT);
      case CATALOG -> "jdbc:sqlite:" + catalogFile(StackOptions.home(cfg));
      // Apicurio's Confluent-compatible API; 127.0.0.1 because the registry binds only loopback
      case SCHEMA_REGISTRY -> "http://127.0.0.1:" + cfg.get(StackOptions.REGISTRY_PORT) + RegistryService.CCOMPAT_PATH;
    };
  }

  /** The SQLite file of the local catalog under a stack home. */
  static Path catalogFile(Path home) {
    return home.resolve("catalog").resolve("iceberg_catalog.db");
  }
}
