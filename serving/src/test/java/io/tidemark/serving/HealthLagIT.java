package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * /api/health and the lag gauge read the speed layer's and the lake's consumer lag from a real
 * Kafka broker: exact numbers from known end and committed offsets.
 */
class HealthLagIT {
  @Test
  void healthReportsConsumerLagOfSpeedAndLakeGroups() throws Exception {
    TidemarkConfig shared = TestServices.get(Service.CLICKHOUSE, Service.KAFKA).config();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "serving_lag_" + suffix;
    String speedGroup = "speed_" + suffix;
    String lakeGroup = "lake_" + suffix;
    try (StoreFixture store = new StoreFixture("serving_lag")) {
      TidemarkConfig cfg = store.config
          .with(KafkaOptions.BOOTSTRAP, shared.get(KafkaOptions.BOOTSTRAP))
          .with(KafkaOptions.EVENTS_TOPIC, topic)
          .with(ServingOptions.SPEED_CONSUMER_GROUP, speedGroup)
          .with(ServingOptions.LAKE_CONSUMER_GROUP, lakeGroup)
          .with(ServingOptions.PORT, 0);
      try (Admin admin = Admin.create(KafkaOptions.clientProperties(cfg))) {
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
          for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(topic, i < 6 ? 0 : 1, "k", "v" + i)).get(30, TimeUnit.SECONDS);
          }
        }
        // speed layer: all of partition 0, 1 of 4 on partition 1 -> lag 3
        admin.alterConsumerGroupOffsets(speedGroup, Map.of(
            new TopicPartition(topic, 0), new OffsetAndMetadata(6), new TopicPartition(topic, 1), new OffsetAndMetadata(1)))
            .all().get(30, TimeUnit.SECONDS);
        // lake: 2 of 6 on partition 0, nothing on partition 1 -> lag 4 + 4
        admin.alterConsumerGroupOffsets(lakeGroup, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2)))
            .all().get(30, TimeUnit.SECONDS);
      }
      try (ServingServer server = ServingServer.start(cfg)) {
        Http.Response h = Http.get(server.url() + "/api/health");
        assertThat(h.status()).as(h.body()).isEqualTo(200);
        JsonNode health = h.json();
        assertThat(health.get("speed_layer").get("status").asText()).isEqualTo("no_data"); // nothing written yet
        JsonNode fresh = Http.get(server.url() + "/api/freshness").json();
        assertThat(fresh.get("newest_window").isNull()).isTrue();
        assertThat(fresh.get("stale").asBoolean()).isTrue();
        JsonNode speed = health.get("speed_layer").get("consumer_lag");
        assertThat(speed.get("group").asText()).isEqualTo(speedGroup);
        assertThat(speed.get("status").asText()).isEqualTo("ok");
        assertThat(speed.get("lag").asLong()).isEqualTo(3);
        assertThat(speed.get("partitions").asInt()).isEqualTo(2);
        JsonNode lake = health.get("lake");
        assertThat(lake.get("status").asText()).isEqualTo("ok");
        assertThat(lake.get("consumer_lag").get("lag").asLong()).isEqualTo(8);
        // the gauges are refreshed in the background: their first refresh may still be under way
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(Http.get(server.url() + "/metrics").body())
                .contains("tidemark_serving_kafka_consumer_lag_records{group=\"" + speedGroup + "\"} 3.0")
                .contains("tidemark_serving_kafka_consumer_lag_records{group=\"" + lakeGroup + "\"} 8.0"));
        assertThat(Http.get(server.url() + "/metrics").body()).containsPattern(
            "tidemark_serving_gauges_age_seconds\\{source=\"kafka\"} [0-9]");
      }
      try (ServingServer server = ServingServer.start(cfg.with(ServingOptions.LAKE_CONSUMER_GROUP, "never_" + suffix))) {
        JsonNode lake = Http.get(server.url() + "/api/health").json().get("lake");
        assertThat(lake.get("status").asText()).isEqualTo("no_offsets");
        assertThat(lake.get("message").asText())
            .isEqualTo("Consumer group never_" + suffix + " has committed no offsets on " + topic + " (not started yet?)");
      }
    }
  }
}
