package io.tidemark.schema;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.util.UUID;

/** The shared test services, and configurations that give each test its own database and topics. */
public final class ItServices {
  private ItServices() {}

  /** Configuration of the JVM's ClickHouse and Kafka (started once, stopped at exit). */
  public static TidemarkConfig config() {
    return TestServices.get(Service.CLICKHOUSE, Service.KAFKA).config();
  }

  /**
   * The shared configuration with a database and topic names of this test's own, so tests can
   * assert exact "created" and "already there" outcomes while sharing one server and broker.
   */
  public static TidemarkConfig isolatedConfig(String prefix) {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    return config()
        .with(ClickHouseOptions.DATABASE, prefix + "_" + suffix)
        .with(KafkaOptions.EVENTS_TOPIC, prefix + "_events_" + suffix)
        .with(KafkaOptions.DLQ_TOPIC, prefix + "_dlq_" + suffix)
        .with(KafkaOptions.LATE_TOPIC, prefix + "_late_" + suffix);
  }
}
