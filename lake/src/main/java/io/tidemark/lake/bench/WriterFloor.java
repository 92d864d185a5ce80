package io.tidemark.lake.bench;

import io.tidemark.lake.table.ArchiveFileWriters;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.io.WriteResult;

/**
 * The lake benchmark's writer floor: the archive's records, parsed into Iceberg records in memory
 * beforehand, written with Iceberg's own Parquet data writers (set up as the sink sets up its own,
 * {@link ArchiveFileWriters}) by several threads at once, each its own writer over a share of the
 * records, and committed in one append.
 *
 * <p>Nothing of Kafka, Connect or the JSON parsing is in its time, so its rate is the highest any
 * archive built on Iceberg's Parquet writer could reach on the machine: the benchmark puts it next
 * to the sink's rate to tell how much of the gap to the bare consumer is the writer itself.
 */
final class WriterFloor {
  /**
   * @param records rows written and committed
   * @param threads writer threads, each with its own writer
   * @param dataFiles files the one append committed
   * @param nanos from the first write to the end of the commit
   * @param writerCpuNanos CPU time of the writer threads (writing and closing their files)
   * @param gcNanos time the JVM's collectors reported while the floor ran
   * @param closeNanos the longest time a writer took to close its files (the last Parquet pages,
   *     footers and uploads to the store)
   * @param commitNanos the append's commit (manifests and the catalog update)
   */
  record Result(long records, int threads, int dataFiles, long nanos, long writerCpuNanos, long gcNanos,
      long closeNanos, long commitNanos) {
    double recordsPerSecond() {
      return records * 1e9 / Math.max(1, nanos);
    }

    /** Writer threads' CPU per record: unlike the rate, hardly moved by other processes' load. */
    double writerCpuMicrosPerRecord() {
      return records == 0 ? Double.NaN : writerCpuNanos / 1000.0 / records;
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private WriterFloor() {}

  /**
   * The Iceberg record of one row as the sink receives it from the transform (column name to
   * value, null columns left out): bytes become the {@code ByteBuffer} a binary column holds, as in
   * the sink's conversion; every other value is already of the column's Java type.
   *
   * @throws IllegalArgumentException for a column the schema does not have
   */
  static Record icebergRecord(Schema schema, Map<String, Object> row) {
    GenericRecord record = GenericRecord.create(schema);
    row.forEach((column, value) -> record.setField(column, value instanceof byte[] b ? ByteBuffer.wrap(b) : value));
    return record;
  }

  /**
   * Writes the records into the table with {@code threads} writers (contiguous shares of the list)
   * and appends every file in one snapshot. Not idempotent: a second call appends the rows again.
   * When a writer fails, every writer's files are deleted and nothing is committed.
   *
   * @param writeProperties the sink's overrides of the table's write properties
   */
  static Result write(Table table, Map<String, String> writeProperties, List<Record> records, int threads)
      throws InterruptedException {
    return run(table, writeProperties, records, threads, true);
  }

  /**
   * The same writing as {@link #write}, untimed and never committed: every writer closes its files
   * and then deletes them ({@link TaskWriter#abort()}). A fresh JVM spends most of its first
   * million records compiling the writer (7.9 µs of writer CPU per record over 100,000 records,
   * 2.3 µs over 1,000,000, 0.9 µs once compiled), while the archive's rate is the worker's steady
   * state; without this the floor would measure the JIT, not the writer.
   */
  static void warmUp(Table table, Map<String, String> writeProperties, List<Record> records, int threads)
      throws InterruptedException {
    run(table, writeProperties, records, threads, false);
  }

  private static Result run(Table table, Map<String, String> writeProperties, List<Record> records, int threads,
      boolean commit) throws InterruptedException {
    if (threads < 1) {
      throw new IllegalArgumentException("Writer floor needs at least one thread, got " + threads);
    }
    List<TaskWriter<Record>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      writers.add(ArchiveFileWriters.open(table, writeProperties, "writer-floor-" + UUID.randomUUID()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong writerCpu = new AtomicLong();
    AtomicLong slowestClose = new AtomicLong();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<WriteResult>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        TaskWriter<Record> writer = writers.get(t);
        List<Record> share = records.subList(
            (int) ((long) records.size() * t / threads), (int) ((long) records.size() * (t + 1) / threads));
        results.add(pool.submit(() -> {
          start.await();
          long cpu0 = THREADS.getCurrentThreadCpuTime();
          for (Record r : share) {
            writer.write(r);
          }
          long close0 = System.nanoTime();
          WriteResult written;
          if (commit) {
            written = writer.complete();
          } else {
            writer.abort();
            written = WriteResult.builder().build();
          }
          slowestClose.accumulateAndGet(System.nanoTime() - close0, Math::max);
          writerCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
          return written;
        }));
      }
      long gc0 = gcMillis();
      long t0 = System.nanoTime();
      start.countDown();
      AppendFiles append = table.newAppend();
      int files = 0;
      for (Future<WriteResult> result : results) {
        for (DataFile f : result.get().dataFiles()) {
          append.appendFile(f);
          files++;
        }
      }
      long commit0 = System.nanoTime();
      if (commit) {
        append.commit();
      }
      long end = System.nanoTime();
      return new Result(records.size(), threads, files, end - t0, writerCpu.get(), (gcMillis() - gc0) * 1_000_000,
          slowestClose.get(), end - commit0);
    } catch (ExecutionException e) {
      abortAll(writers);
      throw new IllegalStateException("Writer floor failed writing " + table.name() + ": " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
  }

  private static void abortAll(List<TaskWriter<Record>> writers) {
    for (TaskWriter<Record> w : writers) {
      try {
        w.abort();
      } catch (IOException | RuntimeException e) {
        // best effort: the files were never committed, so they are orphans at worst
      }
    }
  }
}
