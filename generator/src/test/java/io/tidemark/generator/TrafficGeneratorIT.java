package io.tidemark.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.schema.Migrations;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Produces real traffic to a real broker, reads the topic back and recounts it with code that
 * shares nothing with the generator or the contract classes (plain Jackson trees and arithmetic),
 * so the ground truth is checked by an independent path.
 */
class TrafficGeneratorIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TidemarkConfig config;

  @BeforeAll
  static void services() {
    config = TestServices.get(Service.KAFKA, Service.CLICKHOUSE).config()
        .with(KafkaOptions.EVENTS_TOPIC, "generator_it_events");
    Migrations.run(config);
  }

  @Test
  void groundTruthEqualsAnIndependentRecountOfTheTopic() {
    GeneratorSpec spec = GeneratorSpec.builder()
        .rate(4_000).duration(Duration.ofSeconds(5)).users(40).pages(12).seed(2026)
        .outOfOrderMs(2_000).lateFraction(0.03).duplicateFraction(0.04).invalidFraction(0.03)
        .build();
    TrafficGenerator generator = TrafficGenerator.builder().config(config).spec(spec).build();
    GroundTruth truth = generator.run(null);

    List<ConsumerRecord<String, byte[]>> records = readAll(config.get(KafkaOptions.EVENTS_TOPIC));
    assertThat(records).hasSize((int) truth.produced()).hasSize(20_000);

    Map<String, Long> users = new HashMap<>();
    Map<String, Long> pages = new HashMap<>();
    Set<String> seen = new HashSet<>();
    Set<String> tooLateIds = new HashSet<>();
    long invalid = 0;
    long duplicates = 0;
    for (ConsumerRecord<String, byte[]> r : records) {
      JsonNode e = validEventOrNull(r.value(), r.timestamp());
      if (e == null) {
        invalid++;
        continue;
      }
      String id = e.get("event_id").textValue();
      if (!seen.add(id)) {
        duplicates++;
        continue;
      }
      assertThat(r.key()).isEqualTo(e.get("user_id").textValue());
      long ts = e.get("timestamp").longValue();
      long window = ts - Math.floorMod(ts, 60_000L);
      users.merge(e.get("user_id").textValue() + "@" + window, 1L, Long::sum);
      pages.merge(e.get("page_url").textValue() + "@" + window, 1L, Long::sum);
      if (r.timestamp() - ts > Duration.ofMinutes(5).toMillis()) {
        tooLateIds.add(id);
      }
    }
    assertThat(invalid).isEqualTo(truth.invalid()).isPositive();
    assertThat(duplicates).isEqualTo(truth.duplicates()).isPositive();
    assertThat(tooLateIds).isEqualTo(truth.tooLateEventIds()).isNotEmpty();
    assertThat(new TreeMap<>(users)).isEqualTo(flatten(truth.counts(CountMetric.USER)));
    assertThat(new TreeMap<>(pages)).isEqualTo(flatten(truth.counts(CountMetric.PAGE)));
    assertThat(generator.achievedRate()).isGreaterThan(1_000);
  }

  private static Map<String, Long> flatten(Map<WindowKey, Long> counts) {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k.key() + "@" + k.windowStart(), v));
    return m;
  }

  /** The contract's rules written out again, independently, for this test only. */
  private static JsonNode validEventOrNull(byte[] value, long arrival) {
    JsonNode n;
    try {
      n = JSON.readTree(new String(value, StandardCharsets.UTF_8));
    } catch (Exception e) {
      return null;
    }
    if (n == null || !n.isObject()) {
      return null;
    }
    for (String[] f : new String[][] {{"event_id", "128"}, {"user_id", "256"}, {"page_url", "2048"}}) {
      JsonNode v = n.get(f[0]);
      if (v == null || !v.isTextual() || v.textValue().isBlank() || v.textValue().length() > Integer.parseInt(f[1])) {
        return null;
      }
    }
    JsonNode ts = n.get("timestamp");
    if (ts == null || !ts.isIntegralNumber() || ts.longValue() <= 0 || ts.longValue() > arrival + 3_600_000L) {
      return null;
    }
    return n;
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(config));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      // Within a partition records come in offset order, which is send order for one key.
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }
}
