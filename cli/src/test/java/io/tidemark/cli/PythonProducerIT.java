package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.generator.GeneratedRecord;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficPlan;
import io.tidemark.schema.kafka.KafkaTopics;
import io.tidemark.schema.registry.SubjectMigrator;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.ExampleProducer;
import io.tidemark.testsupport.TestServices;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's example Python producer (confluent-kafka + the registry's AvroSerializer)
 * against the real broker and registry: every generator record arrives in the Confluent wire
 * format with the schema id migrate registered, in order per user, and decodes to the generator's
 * event.
 */
class PythonProducerIT {

  @Test
  void sendsGeneratorTrafficInTheConfluentWireFormatWithTheRegisteredSchemaId(@TempDir Path dir) throws Exception {
    TestServices services = TestServices.get(Service.KAFKA, Service.SCHEMA_REGISTRY);
    String suffix = Long.toString(System.nanoTime(), 36);
    TidemarkConfig cfg = services.config()
        .with(KafkaOptions.EVENTS_TOPIC, "py_events_" + suffix)
        .with(KafkaOptions.DLQ_TOPIC, "py_dlq_" + suffix)
        .with(KafkaOptions.LATE_TOPIC, "py_late_" + suffix)
        .with(KafkaOptions.PARTITIONS, 2);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    String subject = topic + "-value";
    KafkaTopics.migrate(cfg);
    SubjectMigrator.Report migrated = SubjectMigrator.fromConfig(cfg.with(io.tidemark.core.config.SchemaRegistryOptions.SUBJECT, subject)).migrate();
    int registeredId = migrated.schemas().get(0).id();

    GeneratorSpec spec = GeneratorSpec.builder().rate(500).duration(Duration.ofSeconds(4)).users(25).pages(10).seed(15)
        .startTime(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2)))
        .outOfOrderMs(3_000).duplicateFraction(0.05).lateFraction(0.02).invalidFraction(0).build();
    GroundTruth truth = new GroundTruth();
    Map<String, List<PageViewEvent>> expectedByUser = new LinkedHashMap<>();
    Path events = dir.resolve("events.jsonl");
    try (OutputStream out = Files.newOutputStream(events)) {
      for (GeneratedRecord r : new TrafficPlan(spec, System.currentTimeMillis())) {
        truth.add(r);
        expectedByUser.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.event());
        out.write(r.value());
        out.write('\n');
      }
    }
    assertThat(truth.produced()).isEqualTo(2_000);
    assertThat(truth.duplicates()).isPositive();
    assertThat(truth.tooLate()).isPositive();

    long t0 = System.nanoTime();
    ExampleProducer.Result result = ExampleProducer.ensure().send(services.kafkaBootstrap(), services.schemaRegistryUrl(), topic, events);
    System.out.printf("PythonProducerIT: producer ran in %.1fs%n", (System.nanoTime() - t0) / 1e9);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.produced()).isEqualTo(2_000);
    assertThat(result.schemaId()).as("the producer finds the version migrate registered").isEqualTo(registeredId);
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    assertThat(registry.versions(subject)).as("and registers no new version").containsExactly(1);

    Schema writer = new Schema.Parser().parse(registry.schemaById(registeredId));
    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(writer);
    Map<String, List<PageViewEvent>> seenByUser = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> rec : readAll(services.kafkaBootstrap(), topic, 2_000)) {
      ByteBuffer value = ByteBuffer.wrap(rec.value());
      assertThat(value.get()).as("magic byte").isZero();
      assertThat(value.getInt()).as("schema id").isEqualTo(registeredId);
      GenericRecord g = reader.read(null, DecoderFactory.get().binaryDecoder(rec.value(), 5, rec.value().length - 5, null));
      PageViewEvent e = new PageViewEvent(g.get("event_id").toString(), g.get("user_id").toString(), g.get("page_url").toString(), (Long) g.get("timestamp"));
      assertThat(new String(rec.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(e.userId());
      seenByUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
    }
    assertThat(seenByUser).as("every event once, in generator order per user (key)").isEqualTo(expectedByUser);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int expected) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
      // nothing beyond the expected records
      consumer.poll(Duration.ofSeconds(1)).forEach(out::add);
    }
    assertThat(out).hasSize(expected);
    return out;
  }
}
