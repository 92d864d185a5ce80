package io.tidemark.lake.check;

import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@code lake status} shows: the table, its snapshots, rows per event day, and the archive
 * lag per partition (newest offset in Kafka vs newest offset in the table).
 *
 * <p>Reads metadata for the counts, and only the offset columns of the most recent snapshots'
 * added files for the lag, so it stays cheap on a large table. Read-only.
 */
public final class ArchiveStatus {
  /** How many snapshots (newest first) are read at most to find each partition's newest offset. */
  static final int MAX_SNAPSHOTS_FOR_LAG = 50;

  /** How many of the newest snapshots status lists. */
  static final int RECENT_SNAPSHOTS = 5;

  public record PartitionLag(int partition, long endOffset, long newestArchived, long lag) {}

  public record SnapshotInfo(long id, String operation, Instant committedAt, String addedRecords, String addedFiles) {}

  public record Status(
      String table,
      String location,
      long snapshots,
      SnapshotInfo current,
      List<SnapshotInfo> recent,
      long rows,
      long dataFiles,
      Map<String, Long> rowsPerDay,
      List<PartitionLag> lag,
      long totalLag,
      Duration sinceLastCommit) {}

  private ArchiveStatus() {}

  public static Status of(Table table, Consumer<byte[], byte[]> consumer, String topic) {
    table.refresh();
    long snapshots = 0;
    for (Snapshot ignored : table.snapshots()) {
      snapshots++;
    }
    Snapshot cur = table.currentSnapshot();
    Map<String, Long> perDay = new TreeMap<>();
    long rows = 0;
    long files = 0;
    if (cur != null) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask t : tasks) {
          DataFile f = t.file();
          Integer day = f.partition().get(0, Integer.class);
          String key = day == null ? "null" : LocalDate.ofEpochDay(day).toString();
          perDay.merge(key, f.recordCount(), Long::sum);
          rows += f.recordCount();
          files++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<TopicPartition> tps = new ArrayList<>();
    consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
    Map<Integer, Long> newest = newestArchivedOffsets(table, topic, tps.size());
    List<PartitionLag> lag = new ArrayList<>();
    long total = 0;
    for (TopicPartition tp : tps) {
      long end = ends.getOrDefault(tp, 0L);
      long archived = newest.getOrDefault(tp.partition(), -1L);
      long l = Math.max(0, end - (archived + 1));
      total += l;
      lag.add(new PartitionLag(tp.partition(), end, archived, l));
    }
    lag.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    SnapshotInfo info = cur == null ? null : new SnapshotInfo(
        cur.snapshotId(), cur.operation(), Instant.ofEpochMilli(cur.timestampMillis()),
        cur.summary().getOrDefault("added-records", "0"), cur.summary().getOrDefault("added-data-files", "0"));
    Duration since = cur == null ? null : Duration.between(Instant.ofEpochMilli(cur.timestampMillis()), Instant.now());
    List<SnapshotInfo> recent = new ArrayList<>();
    for (Snapshot s = cur; s != null && recent.size() < RECENT_SNAPSHOTS; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      recent.add(new SnapshotInfo(s.snapshotId(), s.operation(), Instant.ofEpochMilli(s.timestampMillis()),
          s.summary().getOrDefault("added-records", "0"), s.summary().getOrDefault("added-data-files", "0")));
    }
    return new Status(table.name(), table.location(), snapshots, info, recent, rows, files, perDay, lag, total, since);
  }

  /**
   * Newest archived offset per partition, read from the files added by the newest snapshots
   * (newest first) until every partition is found.
   */
  static Map<Integer, Long> newestArchivedOffsets(Table table, String topic, int partitions) {
    Map<Integer, Long> newest = new HashMap<>();
    Schema projection = table.schema().select(PageViewTable.KAFKA_TOPIC, PageViewTable.KAFKA_PARTITION, PageViewTable.KAFKA_OFFSET);
    Snapshot s = table.currentSnapshot();
    int examined = 0;
    while (s != null && examined < MAX_SNAPSHOTS_FOR_LAG && newest.size() < partitions) {
      Map<Integer, Long> inSnapshot = new HashMap<>();
      for (DataFile f : s.addedDataFiles(table.io())) {
        try (CloseableIterable<Record> recs = Parquet.read(table.io().newInputFile(f.location()))
            .project(projection)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(projection, fs))
            .build()) {
          for (Record r : recs) {
            if (topic.equals(r.getField(PageViewTable.KAFKA_TOPIC))) {
              inSnapshot.merge((Integer) r.getField(PageViewTable.KAFKA_PARTITION), (Long) r.getField(PageViewTable.KAFKA_OFFSET), Math::max);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + f.location(), e);
        }
      }
      inSnapshot.forEach((p, o) -> newest.merge(p, o, Math::max));
      examined++;
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return newest;
  }

}
