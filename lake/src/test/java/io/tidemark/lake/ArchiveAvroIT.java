package io.tidemark.lake;

import static io.tidemark.lake.LakeTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.generator.AvroValues;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.lake.connect.ConnectWorker;
import io.tidemark.lake.table.PageViewTable;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Avro records (next to JSON ones, across a schema evolution) through the real Connect worker
 * with a real schema registry: every record archived once with its schema id and original bytes,
 * the evolved schema's new field a column of its own (the table's schema evolves; older rows read
 * null), undecodable records archived as invalid with their reason.
 */
class ArchiveAvroIT {
  static final Schema V2 = new Schema.Parser().parse("""
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
        {"name": "referrer", "type": ["null", "string"], "default": null}]}""");

  @Test
  void archivesEveryRecordOnceWithItsSchemaIdAndTheEvolvedField() throws Exception {
    TidemarkConfig cfg = isolated(
        TestServices.get(Service.KAFKA, Service.S3, Service.CATALOG, Service.SCHEMA_REGISTRY).config(), "archive_avro_it");
    createTopic(cfg, 4);
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    String subject = cfg.get(KafkaOptions.EVENTS_TOPIC) + "-value";
    int v1 = registry.register(subject, PageViewAvro.SCHEMA.toString());
    int v2 = registry.register(subject, V2.toString());
    GeneratorSpec spec = GeneratorSpec.builder().rate(2000).duration(Duration.ofSeconds(2)).users(50).pages(20).seed(11)
        .invalidFraction(0.05).duplicateFraction(0.05).lateFraction(0.05).build();
    GroundTruth truth = TrafficGenerator.builder().config(cfg).spec(spec).paced(false)
        .values(AvroValues.builder().schema(0, v1, PageViewAvro.SCHEMA).schema(2_000, v2, V2).jsonEvery(3).build())
        .build().run(null);
    int unknownId = Math.max(v1, v2) + 10_000;
    PageViewEvent e = new PageViewEvent("bad", "user-1", "/page/1", System.currentTimeMillis());
    byte[] good = PageViewAvro.toWireFormat(v1, PageViewAvro.toRecord(e));
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(KafkaOptions.clientProperties(cfg), new ByteArraySerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(cfg.get(KafkaOptions.EVENTS_TOPIC), PageViewAvro.toWireFormat(unknownId, PageViewAvro.toRecord(e)))).get();
      p.send(new ProducerRecord<>(cfg.get(KafkaOptions.EVENTS_TOPIC), Arrays.copyOf(good, good.length - 4))).get();
    }

    List<TopicRecord> topic = readTopic(cfg);
    assertThat(topic).hasSize((int) truth.produced() + 2);
    try (ConnectWorker worker = ConnectWorker.builder().config(cfg).build(); JdbcCatalog catalog = catalog(cfg)) {
      worker.start();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
          .until(() -> rowCount(table(catalog, cfg)) >= topic.size());
      Table table = table(catalog, cfg);
      assertThat(table.schema().findField(AvroValues.REFERRER)).as("the sink added the evolved field").isNotNull();
      Map<String, Record> rows = rows(table);
      assertThat(rows).hasSize(topic.size());
      Map<String, Long> bySchema = new HashMap<>();
      long referrers = 0;
      for (TopicRecord r : topic) {
        Record row = rows.get(r.partition() + ":" + r.offset());
        assertThat(row).as("record %s:%s archived", r.partition(), r.offset()).isNotNull();
        Integer schemaId = (Integer) row.getField(PageViewTable.SCHEMA_ID);
        if (!PageViewAvro.isWireFormat(r.value())) {
          assertThat(schemaId).isNull();
          assertThat(row.getField(AvroValues.REFERRER)).isNull();
          continue;
        }
        int id = ByteBuffer.wrap(r.value(), 1, 4).getInt();
        assertThat(schemaId).isEqualTo(id);
        bySchema.merge(String.valueOf(id), 1L, Long::sum);
        assertThat(bytes(row.getField(PageViewTable.RAW_PAYLOAD))).isEqualTo(r.value());
        boolean valid = (Boolean) row.getField(PageViewTable.VALID);
        if (id == unknownId) {
          assertThat(valid).isFalse();
          assertThat(row.getField(PageViewTable.INVALID_REASON)).isEqualTo("unknown-schema");
        } else if (r.value().length == good.length - 4 && !valid && "undecodable-avro".equals(row.getField(PageViewTable.INVALID_REASON))) {
          assertThat(row.getField(PageViewTable.INVALID_DETAIL)).asString().contains("schema id " + v1);
        } else if (id == v2 && valid) {
          assertThat(row.getField(AvroValues.REFERRER)).isEqualTo(AvroValues.referrerOf((String) row.getField(PageViewTable.EVENT_ID)));
          referrers++;
        } else if (valid) {
          assertThat(row.getField(AvroValues.REFERRER)).isNull();
        }
      }
      assertThat(bySchema.get(String.valueOf(unknownId))).isEqualTo(1);
      assertThat(bySchema.get(String.valueOf(v1))).isPositive();
      assertThat(referrers).isPositive();
      long invalid = rows.values().stream().filter(r -> !(Boolean) r.getField(PageViewTable.VALID)).count();
      assertThat(invalid).isEqualTo(truth.invalid() + 2);
      long valid = rows.size() - invalid;
      assertThat(valid).isEqualTo(truth.validDistinct() + truth.duplicates());
    }
  }

  private static Map<String, Record> rows(Table table) throws IOException {
    Map<String, Record> out = new HashMap<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      for (Record r : it) {
        String key = r.getField(PageViewTable.KAFKA_PARTITION) + ":" + r.getField(PageViewTable.KAFKA_OFFSET);
        assertThat(out.put(key, r.copy())).as("record %s archived twice", key).isNull();
      }
    }
    return out;
  }

  private static byte[] bytes(Object field) {
    if (field == null) {
      return null;
    }
    ByteBuffer b = ((ByteBuffer) field).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

}
