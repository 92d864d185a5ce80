package io.tidemark.core.config;

import java.util.List;

/** Where the Kafka cluster is and which topics carry Tidemark's events. */
public final class KafkaOptions {
  private KafkaOptions() {}

  public static final ConfigOption<String> BOOTSTRAP =
      ConfigOption.stringKey("tidemark.kafka.bootstrap")
          .description(
              "Bootstrap servers of an existing Kafka cluster; unset means the local stack's broker.");

  public static final ConfigOption<String> EVENTS_TOPIC =
      ConfigOption.stringKey("tidemark.kafka.events-topic")
          .defaultValue("pageview_events")
          .description("Topic the producers write page-view events to (key = user_id).");

  public static final ConfigOption<String> DLQ_TOPIC =
      ConfigOption.stringKey("tidemark.kafka.dlq-topic")
          .defaultValue("pageview_events_dlq")
          .description("Dead-letter topic: invalid records with their original bytes and a reason.");

  public static final ConfigOption<String> LATE_TOPIC =
      ConfigOption.stringKey("tidemark.kafka.late-topic")
          .defaultValue("pageview_events_late")
          .description("Events that arrived after the speed layer's allowed lateness.");

  public static final ConfigOption<Integer> PARTITIONS =
      ConfigOption.intKey("tidemark.kafka.partitions")
          .defaultValue(4)
          .description("Partitions of the events topic (and of the dead-letter and late topics) when migrate creates them.");

  public static final ConfigOption<Integer> REPLICATION_FACTOR =
      ConfigOption.intKey("tidemark.kafka.replication-factor")
          .defaultValue(1)
          .description("Replication factor of topics that migrate creates; use 3 on a real cluster.");

  public static final ConfigOption<String> SECURITY_PROTOCOL =
      ConfigOption.stringKey("tidemark.kafka.security-protocol")
          .defaultValue("PLAINTEXT")
          .description("Kafka client security.protocol (PLAINTEXT, SSL, SASL_SSL, SASL_PLAINTEXT).");

  public static final ConfigOption<String> SASL_JAAS_CONFIG =
      ConfigOption.stringKey("tidemark.kafka.sasl-jaas-config")
          .secret()
          .description("Kafka client sasl.jaas.config when the cluster requires SASL.");

  public static final ConfigOption<String> SASL_MECHANISM =
      ConfigOption.stringKey("tidemark.kafka.sasl-mechanism")
          .description("Kafka client sasl.mechanism (e.g. PLAIN, SCRAM-SHA-512).");

  /**
   * Connection properties for any Kafka client (producer, consumer, admin) of a resolved
   * configuration: bootstrap servers and security settings, nothing client-specific.
   *
   * @throws ConfigException when the bootstrap servers are not set
   */
  public static java.util.Map<String, Object> clientProperties(TidemarkConfig config) {
    java.util.Map<String, Object> p = new java.util.HashMap<>();
    p.put("bootstrap.servers", config.require(BOOTSTRAP));
    p.put("security.protocol", config.get(SECURITY_PROTOCOL));
    if (config.get(SASL_MECHANISM) != null) {
      p.put("sasl.mechanism", config.get(SASL_MECHANISM));
    }
    if (config.get(SASL_JAAS_CONFIG) != null) {
      p.put("sasl.jaas.config", config.get(SASL_JAAS_CONFIG));
    }
    return p;
  }

  public static List<ConfigOption<?>> all() {
    return List.of(
        BOOTSTRAP, EVENTS_TOPIC, DLQ_TOPIC, LATE_TOPIC, PARTITIONS, REPLICATION_FACTOR,
        SECURITY_PROTOCOL, SASL_JAAS_CONFIG, SASL_MECHANISM);
  }
}
