package io.tidemark.schema;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.util.Map;
import java.util.UUID;

/** DEV ONLY: to be replaced by TestServices. */
public final class ItServices {
  private ItServices() {}

  /** Configuration of the shared services with endpoints resolved. */
  public static TidemarkConfig config() {
    return TidemarkConfig.of(Map.of(
        ClickHouseOptions.URL.key(), System.getenv().getOrDefault("TIDEMARK_CLICKHOUSE_URL", "http://127.0.0.1:18123"),
        KafkaOptions.BOOTSTRAP.key(), System.getenv().getOrDefault("TIDEMARK_KAFKA_BOOTSTRAP", "127.0.0.1:19092")));
  }

  /** The shared configuration with a database (and topics) of this test's own. */
  public static TidemarkConfig isolatedConfig(String prefix) {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    return config()
        .with(ClickHouseOptions.DATABASE, prefix + "_" + suffix)
        .with(KafkaOptions.EVENTS_TOPIC, prefix + "_events_" + suffix)
        .with(KafkaOptions.DLQ_TOPIC, prefix + "_dlq_" + suffix)
        .with(KafkaOptions.LATE_TOPIC, prefix + "_late_" + suffix);
  }
}
