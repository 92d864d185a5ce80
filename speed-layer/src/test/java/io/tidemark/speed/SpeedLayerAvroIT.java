package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.InvalidReason;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.generator.AvroValues;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.speed.sink.DeadLetterSerializer.Headers;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Avro events through a real schema registry (Apicurio, Confluent API), real Kafka and ClickHouse:
 * the job decodes them with core's decoder, next to JSON on the same topic, across a schema
 * evolution, dead-letters what cannot be decoded with its reason, and waits out a registry outage.
 */
class SpeedLayerAvroIT {
  static final Schema V1 = PageViewAvro.SCHEMA;
  static final Schema V2 = new Schema.Parser().parse("""
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
        {"name": "referrer", "type": ["null", "string"], "default": null}]}""");
  static final Schema NO_PAGE_URL = new Schema.Parser().parse("""
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "timestamp", "type": "long"}]}""");

  private static TidemarkConfig config(String prefix) throws Exception {
    TestServices.get(Service.KAFKA, Service.CLICKHOUSE, Service.SCHEMA_REGISTRY);
    return SpeedIt.isolatedConfig(prefix);
  }

  @Test
  void mixedJsonAndAvroAcrossASchemaEvolutionCountExactlyAndUndecodableRecordsAreDeadLettered() throws Exception {
    TidemarkConfig cfg = config("avromix");
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    String subject = cfg.get(KafkaOptions.EVENTS_TOPIC) + "-value";
    int v1 = registry.register(subject, V1.toString());
    int v2 = registry.register(subject, V2.toString());
    int incompatible = registry.register(subject + "-other", NO_PAGE_URL.toString());
    assertThat(Set.of(v1, v2, incompatible)).hasSize(3);

    JobClient job = SpeedLayerJob.fromConfig(cfg).executeAsync(
        StreamExecutionEnvironment.getExecutionEnvironment(SpeedLayerJob.flinkConfiguration(cfg)));
    try {
      SpeedIt.awaitRunning(job);
      int records = 1_000 * 20;
      AvroValues avro = AvroValues.builder().schema(0, v1, V1).schema(records / 2, v2, V2).jsonEvery(3).build();
      GroundTruth truth = TrafficGenerator.builder().config(cfg)
          .spec(SpeedIt.mixedTraffic(1_000, Duration.ofSeconds(20)).build()).values(avro).build().run(null);
      assertThat(truth.duplicates()).isPositive();
      assertThat(truth.invalid()).isPositive();

      // three records no schema can read: an unknown id, truncated bytes, an incompatible schema
      PageViewEvent e = new PageViewEvent("bad-avro", "user-1", "/page/1", System.currentTimeMillis());
      byte[] good = PageViewAvro.toWireFormat(v1, PageViewAvro.toRecord(e, V1));
      int unknownId = Math.max(v1, Math.max(v2, incompatible)) + 10_000;
      byte[] unknown = PageViewAvro.toWireFormat(unknownId, PageViewAvro.toRecord(e, V1));
      byte[] truncated = Arrays.copyOf(good, good.length - 4);
      org.apache.avro.generic.GenericRecord noPage = new org.apache.avro.generic.GenericData.Record(NO_PAGE_URL);
      noPage.put("event_id", "bad-avro-2");
      noPage.put("user_id", "user-1");
      noPage.put("timestamp", System.currentTimeMillis());
      byte[] wrongSchema = PageViewAvro.toWireFormat(incompatible, noPage);
      produce(cfg, List.of(unknown, truncated, wrongSchema));

      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
            .untilAsserted(() -> {
              Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
              assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
            });
      }
      Map<String, Long> expectedReasons = new TreeMap<>(truth.invalidByReason());
      expectedReasons.merge(InvalidReason.UNKNOWN_SCHEMA.code(), 1L, Long::sum);
      expectedReasons.merge(InvalidReason.UNDECODABLE_AVRO.code(), 1L, Long::sum);
      expectedReasons.merge(InvalidReason.INCOMPATIBLE_SCHEMA.code(), 1L, Long::sum);
      Map<String, Long> reasons = dlqReasons(cfg, truth.invalid() + 3);
      assertThat(reasons).isEqualTo(expectedReasons);
      Map<String, String> details = dlqDetails(cfg, truth.invalid() + 3);
      assertThat(details.get(InvalidReason.UNKNOWN_SCHEMA.code())).contains("schema id " + unknownId);
      assertThat(details.get(InvalidReason.UNDECODABLE_AVRO.code())).contains("schema id " + v1);
      assertThat(details.get(InvalidReason.INCOMPATIBLE_SCHEMA.code())).contains("schema id " + incompatible, "page_url");
      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void aRegistryStoppedFor30SecondsHoldsTheJobBackAndNoEventIsDeadLettered() throws Exception {
    TidemarkConfig cfg = config("avrodown");
    TestServices services = TestServices.get(Service.SCHEMA_REGISTRY);
    int v1 = SchemaRegistryClient.fromConfig(cfg).register(cfg.get(KafkaOptions.EVENTS_TOPIC) + "-value", V1.toString());
    services.localStack().kill(Service.SCHEMA_REGISTRY);
    long stoppedAt = System.currentTimeMillis();
    JobClient job = SpeedLayerJob.fromConfig(cfg).executeAsync(
        StreamExecutionEnvironment.getExecutionEnvironment(SpeedLayerJob.flinkConfiguration(cfg)));
    try {
      SpeedIt.awaitRunning(job);
      GroundTruth truth = TrafficGenerator.builder().config(cfg)
          .spec(SpeedIt.mixedTraffic(1_000, Duration.ofSeconds(10)).invalidFraction(0).build())
          .values(AvroValues.builder().schema(0, v1, V1).build()).build().run(null);
      // the registry stays down for 30 s in all: nothing is counted nor dead-lettered meanwhile
      long restartAt = stoppedAt + 30_000;
      Thread.sleep(Math.max(0, restartAt - System.currentTimeMillis()));
      assertThat(SpeedIt.servingCounts(cfg, CountMetric.USER)).isEmpty();
      assertThat(SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), 0, Duration.ofSeconds(3))).isEmpty();
      services.localStack().up(Set.of(Service.SCHEMA_REGISTRY), (service, message) -> {});

      for (CountMetric metric : CountMetric.values()) {
        Map<WindowKey, Long> expected = truth.speedCounts(metric);
        Awaitility.await(metric + " counts").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
            .untilAsserted(() -> {
              Map<WindowKey, Long> actual = SpeedIt.servingCounts(cfg, metric);
              assertThat(actual.equals(expected)).as(SpeedIt.diff(expected, actual)).isTrue();
            });
      }
      assertThat(SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), 0, Duration.ofSeconds(5))).isEmpty();
    } finally {
      job.cancel().get();
    }
  }

  private static void produce(TidemarkConfig cfg, List<byte[]> values) throws Exception {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(cfg.get(KafkaOptions.EVENTS_TOPIC), "user-1".getBytes(), v)).get();
      }
    }
  }

  private static Map<String, Long> dlqReasons(TidemarkConfig cfg, long expected) {
    Map<String, Long> reasons = new TreeMap<>();
    Set<String> seen = new java.util.HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), expected, Duration.ofSeconds(60))) {
      if (seen.add(SpeedIt.header(r, Headers.SOURCE_PARTITION) + "@" + SpeedIt.header(r, Headers.SOURCE_OFFSET))) {
        reasons.merge(SpeedIt.header(r, Headers.REASON), 1L, Long::sum);
      }
    }
    return reasons;
  }

  private static Map<String, String> dlqDetails(TidemarkConfig cfg, long expected) {
    Map<String, String> details = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : SpeedIt.readTopic(cfg, cfg.get(KafkaOptions.DLQ_TOPIC), expected, Duration.ofSeconds(60))) {
      details.put(SpeedIt.header(r, Headers.REASON), SpeedIt.header(r, Headers.DETAIL));
    }
    return details;
  }
}
