package io.tidemark.lake.bench;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.connect.ArchiveConnectorConfig;
import io.tidemark.lake.connect.ConnectWorker;
import io.tidemark.lake.connect.RowMapper;
import io.tidemark.lake.table.LakeCatalog;
import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lake bench}: archive throughput as a ratio against a bare Kafka consumer reading the same
 * pre-loaded topic in the same run, then archive lag (Kafka record timestamp to the commit of the
 * snapshot that made the row visible) at half the measured archive throughput, then the writer
 * floor ({@link WriterFloor}): how fast Iceberg's Parquet writer alone writes the same records.
 *
 * <p>Uses a topic, control topic, connector and table of its own, so it never touches the real
 * archive; they are left behind for inspection (names in the result). Only the writer floor's
 * scratch table is dropped.
 */
public final class ArchiveBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveBenchmark.class);

  /**
   * @param baselinePassesRecordsPerSecond every pass of the bare consumer, in the order they ran
   * @param baselineRecordsPerSecond their median
   * @param archiveRecordsPerSecond rows the worker processed per second after its first commit
   *     (the steady state), by their ingest time, see {@link IngestWindow}
   * @param archiveIncludingStartRecordsPerSecond every row over the time from starting the worker
   *     to the commit that made the last one visible
   * @param workerCpuMicrosPerRecord CPU time (all threads) the worker JVM spent per record after
   *     its first commit: unlike the rates, it hardly depends on how busy other processes keep
   *     the machine's cores
   * @param floorRecordsPerSecond the same records, parsed beforehand, written by Iceberg's Parquet
   *     writers alone from {@code floorThreads} threads and committed, see {@link WriterFloor}: the
   *     highest rate any sink built on that writer could reach here
   * @param floorRecords records the floor wrote: all pre-loaded ones unless they would not fit in
   *     this JVM's heap, see {@link #floorRecordLimit()}
   * @param floorWriterCpuMicrosPerRecord CPU time of the floor's writer threads per record
   * @param floorGcSeconds garbage collection time of the benchmark JVM while the floor ran
   */
  public record Result(
      String table, long records, List<Double> baselinePassesRecordsPerSecond, double baselineRecordsPerSecond,
      double archiveRecordsPerSecond,
      double ratio, double archiveIncludingStartRecordsPerSecond, double workerCpuMicrosPerRecord,
      double lagRate, long lagRecords, double lagP50Seconds, double lagP99Seconds, double lagMaxSeconds,
      double commitIntervalSeconds, double floorRecordsPerSecond, int floorThreads, int floorDataFiles,
      long floorRecords, double floorWriterCpuMicrosPerRecord, double floorGcSeconds) {

    public double floorRatio() {
      return floorRecordsPerSecond / baselineRecordsPerSecond;
    }
  }

  static final int BASELINE_PASSES = 3;
  /**
   * Heap a pre-parsed record of the writer floor takes, with margin: about 400 bytes measured for
   * the benchmark's events (an Iceberg record, its strings and boxed values).
   */
  static final long FLOOR_BYTES_PER_RECORD = 512;

  private final TidemarkConfig cfg;
  private final long records;
  private final Duration lagDuration;

  public ArchiveBenchmark(TidemarkConfig resolved, long records, Duration lagDuration) {
    String id = "bench_lake_" + UUID.randomUUID().toString().substring(0, 6);
    // several commits during the throughput run, or the rate between them means nothing
    TidemarkConfig base = resolved.isSet(LakeArchiveOptions.COMMIT_INTERVAL)
        ? resolved
        : resolved.with(LakeArchiveOptions.COMMIT_INTERVAL, Duration.ofSeconds(3));
    this.cfg = base
        .with(KafkaOptions.EVENTS_TOPIC, id + "_events")
        .with(LakeArchiveOptions.CONNECTOR_NAME, id.replace('_', '-'))
        .with(LakeArchiveOptions.CONTROL_TOPIC, id + "_control")
        .with(LakeArchiveOptions.TABLE, id)
        // no Prometheus endpoint: it would clash with a running 'lake run' on the same port
        .with(LakeArchiveOptions.METRICS_PORT, -1);
    this.records = records;
    this.lagDuration = lagDuration;
  }

  public Result run() throws Exception {
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    java.util.Map<String, Object> adminProps = new java.util.HashMap<>(KafkaOptions.clientProperties(cfg));
    adminProps.put("default.api.timeout.ms", "15000");
    adminProps.put("request.timeout.ms", "15000");
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topic, cfg.get(KafkaOptions.PARTITIONS), cfg.get(KafkaOptions.REPLICATION_FACTOR).shortValue()))).all().get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        // one line naming the fix, not a client exception
        throw new IllegalStateException("Cannot reach Kafka at " + cfg.get(KafkaOptions.BOOTSTRAP)
            + " within 15 s: start the local stack with ./tidemark stack up, or check "
            + KafkaOptions.BOOTSTRAP.key() + " (" + KafkaOptions.BOOTSTRAP.envName() + ")", e);
      }
      throw e;
    }
    produce(records, 0);
    Map<TopicPartition, Long> preloaded = endOffsets(topic);
    List<Double> baselinePasses = bareConsumerPasses(topic);
    double baseline = median(baselinePasses);
    ConnectWorker worker = ConnectWorker.builder().config(cfg).build();
    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      long start = System.currentTimeMillis();
      worker.start();
      Table table = catalog.loadTable(PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)));
      Duration cpuAtFirstCommit = null;
      long rows;
      while ((rows = rows(table)) < records) {
        if (rows > 0 && cpuAtFirstCommit == null) {
          cpuAtFirstCommit = cpu(worker);
        }
        Thread.sleep(100);
        if (!worker.process().isAlive()) {
          throw new IllegalStateException("Connect worker died; see " + worker.logFile());
        }
      }
      Duration cpuAtEnd = cpu(worker);
      List<Snapshot> snaps = new ArrayList<>();
      table.snapshots().forEach(snaps::add);
      long lastCommit = snaps.get(snaps.size() - 1).timestampMillis();
      double withStart = records * 1000.0 / Math.max(1, lastCommit - start);
      IngestWindow window = IngestWindow.read(table, snaps.get(0));
      double archive = window.recordsPerSecond();
      long cpuRecords = records - window.firstCommitRows();
      double cpuMicrosPerRecord = cpuAtFirstCommit == null || cpuRecords <= 0 ? Double.NaN
          : cpuAtEnd.minus(cpuAtFirstCommit).toNanos() / 1000.0 / cpuRecords;

      double lagRate = archive / 2;
      Set<Long> seen = new HashSet<>();
      table.snapshots().forEach(s -> seen.add(s.snapshotId()));
      long lagRecords = (long) (lagRate * lagDuration.toSeconds());
      Thread producer = new Thread(() -> produce(lagRecords, lagRate), "bench-lag-producer");
      producer.start();
      producer.join();
      long target = records + lagRecords;
      long deadline = System.currentTimeMillis() + 120_000;
      while (rows(table) < target && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      double[] lags = lagsOfSnapshotsAfter(table, seen);
      Arrays.sort(lags);
      worker.stop(Duration.ofSeconds(20));
      WriterFloor.Result floor = writerFloor(catalog, topic, preloaded);
      return new Result(table.name(), records, baselinePasses, baseline, archive, archive / baseline, withStart, cpuMicrosPerRecord,
          lagRate, lags.length,
          pct(lags, 0.50), pct(lags, 0.99), lags.length == 0 ? 0 : lags[lags.length - 1],
          cfg.get(LakeArchiveOptions.COMMIT_INTERVAL).toMillis() / 1000.0,
          floor.recordsPerSecond(), floor.threads(), floor.dataFiles(), floor.records(),
          floor.writerCpuMicrosPerRecord(), floor.gcNanos() / 1e9);
    } finally {
      worker.stop(Duration.ofSeconds(20));
    }
  }

  /**
   * The writer floor over the pre-loaded records (not the lag run's), after the worker has stopped
   * so the two never share the cores: a scratch table with the archive table's schema, spec and
   * properties (the sink's rows must stay exactly the topic's records), dropped from the catalog
   * afterwards.
   */
  private WriterFloor.Result writerFloor(JdbcCatalog catalog, String topic, Map<TopicPartition, Long> preloaded)
      throws InterruptedException {
    TableIdentifier id = PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE) + "_writer_floor");
    Table scratch = PageViewTable.createIfMissing(catalog, id, cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE));
    try {
      List<Record> parsed = parsedRecords(scratch.schema(), topic, preloaded);
      int threads = Runtime.getRuntime().availableProcessors();
      Map<String, String> writeProperties = ArchiveConnectorConfig.writeProperties(cfg);
      WriterFloor.warmUp(scratch, writeProperties, parsed, threads);
      WriterFloor.Result floor = WriterFloor.write(scratch, writeProperties, parsed, threads);
      long committed = Long.parseLong(scratch.currentSnapshot().summary().get("total-records"));
      if (committed != parsed.size()) {
        throw new IllegalStateException("Writer floor committed " + committed + " rows to " + id + ", expected " + parsed.size());
      }
      LOG.info("Writer floor: {} records, {} threads, {} files in {} ms ({} records/s; slowest close {} ms, commit {} ms),"
          + " writer CPU {} µs/record, GC {} ms",
          floor.records(), floor.threads(), floor.dataFiles(), floor.nanos() / 1_000_000, Math.round(floor.recordsPerSecond()),
          floor.closeNanos() / 1_000_000, floor.commitNanos() / 1_000_000,
          String.format(java.util.Locale.ROOT, "%.2f", floor.writerCpuMicrosPerRecord()), floor.gcNanos() / 1_000_000);
      return floor;
    } finally {
      try {
        // without purge: s3proxy rejects S3FileIO's deletes (see docs/lake.md), which would only
        // log a stack trace per file; the files stay in the bucket like the benchmark's own tables
        catalog.dropTable(id, false);
      } catch (RuntimeException e) {
        LOG.warn("Could not drop the writer floor's scratch table {}: {}", id, e.toString());
      }
    }
  }

  /**
   * How many pre-parsed records the writer floor holds at most: 60% of this JVM's heap (the rest
   * is for the writers' buffers), so a run with more records than fit writes the first ones
   * instead of failing with OutOfMemoryError after the archive was measured.
   */
  static long floorRecordLimit() {
    return floorRecordLimit(Runtime.getRuntime().maxMemory());
  }

  static long floorRecordLimit(long maxHeapBytes) {
    return (long) (maxHeapBytes * 0.6 / FLOOR_BYTES_PER_RECORD);
  }

  /**
   * The pre-loaded records (at most {@link #floorRecordLimit()}) as the sink receives them from the
   * transform, as Iceberg records.
   */
  private List<Record> parsedRecords(Schema schema, String topic, Map<TopicPartition, Long> ends) {
    RowMapper mapper = new RowMapper();
    long limit = Math.min(records, floorRecordLimit());
    if (limit < records) {
      LOG.warn("Writer floor: {} records do not fit in this JVM's heap; it writes the first {}", records, limit);
    }
    List<Record> parsed = new ArrayList<>((int) limit);
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.auto.commit", false);
    p.put("max.poll.records", 5000);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.assign(ends.keySet());
      c.seekToBeginning(ends.keySet());
      while (parsed.size() < limit && ends.keySet().stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (parsed.size() < limit && r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            parsed.add(WriterFloor.icebergRecord(schema,
                mapper.map(r.value(), r.topic(), r.partition(), r.offset(), r.timestamp(), System.currentTimeMillis())));
          }
        }
      }
    }
    return parsed;
  }

  private Map<TopicPartition, Long> endOffsets(String topic) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      return new HashMap<>(c.endOffsets(tps));
    }
  }

  private static Duration cpu(ConnectWorker worker) {
    return worker.process().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** Per row of every snapshot not in {@code seen}: snapshot commit time minus Kafka record time, in seconds. */
  private static double[] lagsOfSnapshotsAfter(Table table, Set<Long> seen) {
    table.refresh();
    Schema projection = table.schema().select(PageViewTable.KAFKA_TIMESTAMP);
    List<Double> lags = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      if (seen.contains(s.snapshotId())) {
        continue;
      }
      for (DataFile f : s.addedDataFiles(table.io())) {
        try (CloseableIterable<Record> rows = Parquet.read(table.io().newInputFile(f.location())).project(projection)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(projection, fs)).build()) {
          for (Record r : rows) {
            OffsetDateTime ts = (OffsetDateTime) r.getField(PageViewTable.KAFKA_TIMESTAMP);
            lags.add((s.timestampMillis() - ts.toInstant().toEpochMilli()) / 1000.0);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return lags.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private long rows(Table table) throws IOException {
    table.refresh();
    if (table.currentSnapshot() == null) {
      return 0;
    }
    String total = table.currentSnapshot().summary().get("total-records");
    return total == null ? 0 : Long.parseLong(total);
  }

  /** Seed-format events, 1% invalid; paced at {@code rate} per second when positive. */
  private void produce(long n, double rate) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.idempotence", true);
    p.put("acks", "all");
    p.put("linger.ms", 10);
    p.put("batch.size", 131072);
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < n; i++) {
        if (rate > 0) {
          long due = t0 + (long) (i * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 100_000) {
            LockSupport.parkNanos(wait);
          }
        }
        String user = "u" + (i % 1000);
        String json = i % 100 == 99 ? "{\"event_id\":\"b" + i + "\"}"
            : "{\"event_id\":\"b" + i + "-" + t0 + "\",\"user_id\":\"" + user + "\",\"page_url\":\"/page/" + (i % 200)
                + "\",\"timestamp\":" + System.currentTimeMillis() + "}";
        producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /**
   * {@value #BASELINE_PASSES} passes of the bare consumer, whose median is the baseline: a single
   * pass over a pre-loaded topic lasts about a second, so one cold pass (JIT, first fetches) or one
   * slice of another process's load moved it by 2x between runs.
   */
  private List<Double> bareConsumerPasses(String topic) {
    List<Double> passes = new ArrayList<>();
    for (int i = 0; i < BASELINE_PASSES; i++) {
      passes.add(bareConsumer(topic));
    }
    return passes;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private double bareConsumer(String topic) {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(cfg));
    p.put("enable.auto.commit", false);
    p.put("max.poll.records", 5000);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      long t0 = System.nanoTime();
      long n = 0;
      long bytes = 0;
      while (n < records) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          n++;
          bytes += r.value().length;
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      return bytes > 0 ? n / secs : 0;
    }
  }
}
