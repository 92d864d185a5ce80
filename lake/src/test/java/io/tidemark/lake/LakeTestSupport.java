package io.tidemark.lake;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.table.LakeCatalog;
import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.nio.charset.StandardCharsets;

/** What the lake ITs share: an isolated configuration per test class and independent readers. */
final class LakeTestSupport {
  private LakeTestSupport() {}

  /** One Kafka record as read back from the topic: the independent expectation. */
  record TopicRecord(int partition, long offset, long timestamp, byte[] value) {
    String key() {
      return partition + ":" + offset;
    }
  }

  /** One archived row, the columns the tests compare. */
  record Row(String topic, Integer partition, Long offset, String eventId, boolean valid, String reason, byte[] raw) {
    String key() {
      return partition + ":" + offset;
    }
  }

  /**
   * The services' configuration with a topic, connector, control topic and table of its own, so
   * test classes sharing one broker and catalog never see each other's data; short timeouts so a
   * killed worker is replaced within seconds.
   */
  static TidemarkConfig isolated(TidemarkConfig services, String name) {
    String id = name + "_" + UUID.randomUUID().toString().substring(0, 6);
    return services
        .with(KafkaOptions.EVENTS_TOPIC, id + "_events")
        .with(LakeArchiveOptions.CONNECTOR_NAME, id.replace('_', '-'))
        .with(LakeArchiveOptions.CONTROL_TOPIC, id + "_control")
        .with(LakeArchiveOptions.TABLE, id)
        .with(LakeArchiveOptions.COMMIT_INTERVAL, Duration.ofSeconds(2))
        .with(LakeArchiveOptions.CONSUMER_SESSION_TIMEOUT, Duration.ofSeconds(6))
        .with(LakeArchiveOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(10))
        .with(LakeArchiveOptions.WORKER_HEAP, "384m")
        .with(LakeArchiveOptions.REST_PORT, freePort())
        .with(LakeArchiveOptions.METRICS_PORT, -1);
  }

  static void createTopic(TidemarkConfig cfg, int partitions) throws Exception {
    try (Admin admin = Admin.create(KafkaOptions.clientProperties(cfg))) {
      admin.createTopics(List.of(new NewTopic(cfg.get(KafkaOptions.EVENTS_TOPIC), partitions, (short) 1))).all().get();
    }
  }

  /** Every record of the events topic, read by a bare consumer from the start to the end offsets. */
  static List<TopicRecord> readTopic(TidemarkConfig cfg) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.auto.commit", false);
    p.put("max.poll.records", 5000);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    List<TopicRecord> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + topic + " to its end within 60 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.add(new TopicRecord(r.partition(), r.offset(), r.timestamp(), r.value()));
        }
      }
    }
    return out;
  }

  static JdbcCatalog catalog(TidemarkConfig cfg) {
    return LakeCatalog.open(cfg);
  }

  static Table table(JdbcCatalog catalog, TidemarkConfig cfg) {
    return catalog.loadTable(PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)));
  }

  /** Row count from metadata (cheap enough to poll). */
  static long rowCount(Table table) {
    table.refresh();
    if (table.currentSnapshot() == null) {
      return 0;
    }
    long n = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        n += t.file().recordCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  static List<Row> readRows(Table table) {
    table.refresh();
    List<Row> rows = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return rows;
    }
    try (CloseableIterable<Record> it = IcebergGenerics.read(table)
        .select(PageViewTable.KAFKA_TOPIC, PageViewTable.KAFKA_PARTITION, PageViewTable.KAFKA_OFFSET,
            PageViewTable.EVENT_ID, PageViewTable.VALID, PageViewTable.INVALID_REASON, PageViewTable.RAW_PAYLOAD)
        .build()) {
      for (Record r : it) {
        ByteBuffer raw = (ByteBuffer) r.getField(PageViewTable.RAW_PAYLOAD);
        byte[] bytes = null;
        if (raw != null) {
          bytes = new byte[raw.remaining()];
          raw.duplicate().get(bytes);
        }
        rows.add(new Row((String) r.getField(PageViewTable.KAFKA_TOPIC), (Integer) r.getField(PageViewTable.KAFKA_PARTITION),
            (Long) r.getField(PageViewTable.KAFKA_OFFSET), (String) r.getField(PageViewTable.EVENT_ID),
            (Boolean) r.getField(PageViewTable.VALID), (String) r.getField(PageViewTable.INVALID_REASON), bytes));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  static KafkaConsumer<byte[], byte[]> consumer(TidemarkConfig cfg) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.auto.commit", false);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends about 1000 JSON events a second (ids {@code <prefix><n>}, idempotent producer, acks=all)
   * until {@code producing} is cleared; counts acknowledged sends and keeps the first failure.
   */
  static void produce(TidemarkConfig cfg, String prefix, java.util.concurrent.atomic.AtomicBoolean producing,
      java.util.concurrent.atomic.AtomicLong sent, java.util.concurrent.atomic.AtomicReference<Exception> failure) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long n = 0;
      while (producing.get()) {
        for (int i = 0; i < 50; i++, n++) {
          String json = "{\"event_id\":\"" + prefix + n + "\",\"user_id\":\"u" + (n % 37) + "\",\"page_url\":\"/p" + (n % 11)
              + "\",\"timestamp\":" + System.currentTimeMillis() + "}";
          producer.send(new ProducerRecord<>(topic, ("u" + (n % 37)).getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)),
              (md, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                } else {
                  sent.incrementAndGet();
                }
              });
        }
        Thread.sleep(50); // about 1000 records/s
      }
      producer.flush();
    } catch (Exception e) {
      failure.compareAndSet(null, e);
    }
  }
}
