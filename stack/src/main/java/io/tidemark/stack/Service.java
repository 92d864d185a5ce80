package io.tidemark.stack;

/**
 * The services Tidemark needs; each can run in the local stack or be given as an external endpoint.
 */
public enum Service {
  /** Kafka broker (KRaft, combined broker and controller) holding the event topics. */
  KAFKA,
  /** ClickHouse server holding the serving tables. */
  CLICKHOUSE,
  /** S3-compatible object store holding the lake's files. */
  S3,
  /** Iceberg JDBC catalog; locally a SQLite file, so there is no process to run. */
  CATALOG,
  /**
   * Schema registry with the Confluent Schema Registry API, holding the Avro schemas of the events
   * topic; locally Apicurio Registry with its Confluent API at {@code /apis/ccompat/v7}.
   */
  SCHEMA_REGISTRY
}
