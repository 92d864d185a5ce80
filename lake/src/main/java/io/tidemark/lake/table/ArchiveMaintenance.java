package io.tidemark.lake.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lake maintain}: compacts small data files per partition and expires old snapshots.
 *
 * <p>Safe while the sink writes: compaction commits a {@link RewriteFiles} validated from the
 * snapshot it read, so files appended meanwhile are kept and a concurrent change to the same
 * files fails the rewrite instead of losing rows (nothing is lost; run it again). Rows are copied
 * unchanged, so the row count and every archived offset stay as they were.
 *
 * <p>Expiry never removes the newest snapshot that carries the sink's
 * {@code kafka.connect.offsets.*} summary, nor anything newer: Iceberg's sink walks back from the
 * current snapshot to that summary to skip control-topic announcements it already committed, and
 * without it a recovering coordinator could commit a file a second time.
 *
 * <p>Idempotent: a second run on a compacted table rewrites nothing.
 */
public final class ArchiveMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveMaintenance.class);
  static final String SINK_OFFSETS_PREFIX = "kafka.connect.offsets.";

  private final Table table;
  private final long targetFileSize;
  private final Duration snapshotRetention;
  private final int minSnapshots;

  public ArchiveMaintenance(Table table, long targetFileSize, Duration snapshotRetention, int minSnapshots) {
    this.table = table;
    this.targetFileSize = targetFileSize;
    this.snapshotRetention = snapshotRetention;
    this.minSnapshots = minSnapshots;
  }

  /**
   * What a run did. {@code rowsBefore}/{@code rowsAfter} count the whole table and include what
   * the sink appended meanwhile; {@code rowsCompactedIn == rowsCompactedOut} is the invariant.
   */
  public record Result(
      int partitionsCompacted, long filesCompactedIn, long filesCompactedOut, long rowsCompactedIn,
      long rowsCompactedOut, long filesBefore, long filesAfter, long rowsBefore, long rowsAfter,
      long snapshotsBefore, long snapshotsAfter) {}

  private record Compaction(int partitions, long filesIn, long filesOut, long rowsIn, long rowsOut) {}

  public Result run() {
    table.refresh();
    long[] before = counts();
    long snapshotsBefore = snapshotCount();
    Compaction c = compact();
    expire();
    table.refresh();
    long[] after = counts();
    return new Result(c.partitions(), c.filesIn(), c.filesOut(), c.rowsIn(), c.rowsOut(),
        before[0], after[0], before[1], after[1], snapshotsBefore, snapshotCount());
  }

  /** Rewrites, per partition, every group of two or more files smaller than 3/4 of the target size. */
  Compaction compact() {
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return new Compaction(0, 0, 0, 0, 0);
    }
    Map<String, List<DataFile>> small = new LinkedHashMap<>();
    Map<String, StructLike> partitions = new LinkedHashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask t : tasks) {
        DataFile f = t.file();
        if (f.specId() != table.spec().specId() || f.fileSizeInBytes() >= targetFileSize * 3 / 4) {
          continue;
        }
        String key = table.spec().partitionToPath(f.partition());
        small.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        partitions.putIfAbsent(key, f.partition());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<DataFile> removed = new HashSet<>();
    List<DataFile> added = new ArrayList<>();
    int groups = 0;
    for (Map.Entry<String, List<DataFile>> e : small.entrySet()) {
      if (e.getValue().size() < 2) {
        continue;
      }
      added.addAll(rewrite(e.getValue(), partitions.get(e.getKey())));
      removed.addAll(e.getValue());
      groups++;
    }
    if (groups == 0) {
      return new Compaction(0, 0, 0, 0, 0);
    }
    long rowsIn = removed.stream().mapToLong(DataFile::recordCount).sum();
    long rowsOut = added.stream().mapToLong(DataFile::recordCount).sum();
    if (rowsIn != rowsOut) {
      throw new IllegalStateException("Compaction of " + table.name() + " read " + rowsIn + " rows from " + removed.size()
          + " files but wrote " + rowsOut + "; nothing committed");
    }
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(start.snapshotId());
    rewrite.rewriteFiles(removed, new HashSet<>(added));
    rewrite.set("tidemark.maintain", "compaction");
    rewrite.commit();
    LOG.info("Compacted {} partitions of {}: {} files into {} ({} rows)", groups, table.name(), removed.size(), added.size(), rowsOut);
    return new Compaction(groups, removed.size(), added.size(), rowsIn, rowsOut);
  }

  private List<DataFile> rewrite(List<DataFile> files, StructLike partition) {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    GenericAppenderFactory appenders = new GenericAppenderFactory(schema, spec);
    OutputFileFactory outputs = OutputFileFactory.builderFor(table, 0, System.currentTimeMillis())
        .format(FileFormat.PARQUET).operationId("maintain").build();
    List<DataFile> out = new ArrayList<>();
    DataWriter<Record> writer = null;
    try {
      for (DataFile f : files) {
        try (CloseableIterable<Record> rows = Parquet.read(table.io().newInputFile(f.location()))
            .project(schema)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(schema, fs))
            .build()) {
          for (Record r : rows) {
            if (writer == null) {
              EncryptedOutputFile file = outputs.newOutputFile(spec, partition);
              writer = appenders.newDataWriter(file, FileFormat.PARQUET, partition);
            }
            writer.write(r);
            if (writer.length() >= targetFileSize) {
              writer.close();
              out.add(writer.toDataFile());
              writer = null;
            }
          }
        }
      }
      if (writer != null) {
        writer.close();
        out.add(writer.toDataFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot compact partition " + spec.partitionToPath(partition) + " of " + table.name(), e);
    }
    return out;
  }

  void expire() {
    long cutoff = System.currentTimeMillis() - snapshotRetention.toMillis();
    Snapshot s = table.currentSnapshot();
    while (s != null) {
      if (s.summary().keySet().stream().anyMatch(k -> k.startsWith(SINK_OFFSETS_PREFIX))) {
        cutoff = Math.min(cutoff, s.timestampMillis());
        break;
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    table.expireSnapshots().expireOlderThan(cutoff).retainLast(Math.max(1, minSnapshots)).cleanExpiredFiles(true).commit();
  }

  private long[] counts() {
    long files = 0;
    long rows = 0;
    if (table.currentSnapshot() == null) {
      return new long[] {0, 0};
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        files++;
        rows += t.file().recordCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new long[] {files, rows};
  }

  private long snapshotCount() {
    long n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
