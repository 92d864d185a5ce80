package io.tidemark.lake.check;

import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Integrity check of the archive table against its source topic.
 *
 * <ul>
 *   <li>No data file is added by more than one snapshot (the check users run in
 *       apache/iceberg#13763; a file added twice is read twice). Looks at the snapshots the table
 *       still has (maintenance expires older ones).
 *   <li>No data file appears twice in the current snapshot.
 *   <li>Per partition of the topic: no offset archived twice, and no record that still exists in
 *       the topic between its log start and the newest archived offset is missing. Holes in the
 *       archived offsets are looked up in the topic, since Kafka leaves offsets without records.
 *       Records after the newest archived offset are not a defect: they are the archive lag.
 * </ul>
 *
 * <p>Read-only; reads the offset columns of the whole table and the topic only where holes are.
 */
public final class ArchiveVerifier {
  private final Table table;
  private final Consumer<byte[], byte[]> consumer;
  private final String topic;

  public ArchiveVerifier(Table table, Consumer<byte[], byte[]> consumer, String topic) {
    this.table = table;
    this.consumer = consumer;
    this.topic = topic;
  }

  /** A problem found, as a short sentence with identifiers. */
  public record Finding(String kind, String message) {}

  public record Report(
      String table,
      long snapshots,
      long rows,
      long kafkaRows,
      Map<Integer, OffsetAudit> partitions,
      Map<Integer, List<OffsetAudit.Range>> missing,
      Map<String, List<Long>> filesInSeveralSnapshots,
      List<String> filesTwiceInCurrentSnapshot,
      List<Finding> findings) {
    public boolean clean() {
      return findings.isEmpty();
    }
  }

  public Report verify() {
    table.refresh();
    List<Finding> findings = new ArrayList<>();
    Map<String, List<Long>> severalSnapshots = filesAddedBySeveralSnapshots();
    severalSnapshots.forEach((path, ids) -> findings.add(new Finding("duplicate-file",
        "Data file " + path + " is added by " + ids.size() + " snapshots " + ids)));
    List<String> twice = filesTwiceInCurrentSnapshot();
    twice.forEach(p -> findings.add(new Finding("duplicate-file", "Data file " + p + " is listed twice in the current snapshot")));

    Map<Integer, LongBuffer> byPartition = new TreeMap<>();
    long rows = 0;
    long kafkaRows = 0;
    if (table.currentSnapshot() != null) {
      try (CloseableIterable<Record> it = IcebergGenerics.read(table)
          .select(PageViewTable.KAFKA_TOPIC, PageViewTable.KAFKA_PARTITION, PageViewTable.KAFKA_OFFSET)
          .build()) {
        for (Record r : it) {
          rows++;
          Object t = r.getField(PageViewTable.KAFKA_TOPIC);
          if (t == null || !t.equals(topic)) {
            continue;
          }
          kafkaRows++;
          int p = (Integer) r.getField(PageViewTable.KAFKA_PARTITION);
          byPartition.computeIfAbsent(p, k -> new LongBuffer()).add((Long) r.getField(PageViewTable.KAFKA_OFFSET));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + table.name(), e);
      }
    }
    Map<Integer, OffsetAudit> audits = new TreeMap<>();
    byPartition.forEach((p, buf) -> audits.put(p, OffsetAudit.of(p, buf.values, buf.size)));

    Map<Integer, List<OffsetAudit.Range>> missing = new TreeMap<>();
    List<TopicPartition> tps = new ArrayList<>();
    consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    Map<TopicPartition, Long> starts = consumer.beginningOffsets(tps, Duration.ofSeconds(30));
    for (TopicPartition tp : tps) {
      OffsetAudit a = audits.get(tp.partition());
      if (a == null) {
        continue; // nothing archived yet: all of it is lag
      }
      if (a.duplicateRows() > 0) {
        findings.add(new Finding("duplicate-offset", "Partition " + tp.partition() + ": " + a.duplicateRows()
            + " rows repeat an archived offset, e.g. offsets " + a.duplicates().subList(0, Math.min(10, a.duplicates().size()))));
      }
      List<OffsetAudit.Range> candidates = new ArrayList<>(a.holes());
      long start = starts.getOrDefault(tp, 0L);
      if (start < a.min()) {
        candidates.add(0, new OffsetAudit.Range(start, a.min()));
      }
      List<OffsetAudit.Range> lost = recordsIn(tp, candidates);
      if (!lost.isEmpty()) {
        missing.put(tp.partition(), lost);
        long n = lost.stream().mapToLong(OffsetAudit.Range::size).sum();
        findings.add(new Finding("missing-offset", "Partition " + tp.partition() + ": " + n
            + " records in the topic are not archived, offsets " + lost.subList(0, Math.min(10, lost.size()))));
      }
    }
    long snapshots = 0;
    for (Snapshot ignored : table.snapshots()) {
      snapshots++;
    }
    return new Report(table.name(), snapshots, rows, kafkaRows, audits, missing, severalSnapshots, twice, findings);
  }

  private Map<String, List<Long>> filesAddedBySeveralSnapshots() {
    Map<String, List<Long>> bySnapshot = new HashMap<>();
    for (Snapshot s : table.snapshots()) {
      for (DataFile f : s.addedDataFiles(table.io())) {
        bySnapshot.computeIfAbsent(f.location(), k -> new ArrayList<>()).add(s.snapshotId());
      }
    }
    Map<String, List<Long>> dup = new LinkedHashMap<>();
    bySnapshot.forEach((k, v) -> {
      if (v.size() > 1) {
        dup.put(k, v);
      }
    });
    return dup;
  }

  private List<String> filesTwiceInCurrentSnapshot() {
    List<String> twice = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return twice;
    }
    Map<String, Integer> seen = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        if (seen.merge(t.file().location(), 1, Integer::sum) == 2) {
          twice.add(t.file().location());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return twice;
  }

  /** The sub-ranges of {@code ranges} where the topic holds records (offsets that should be archived). */
  private List<OffsetAudit.Range> recordsIn(TopicPartition tp, List<OffsetAudit.Range> ranges) {
    List<OffsetAudit.Range> found = new ArrayList<>();
    if (ranges.isEmpty()) {
      return found;
    }
    consumer.assign(List.of(tp));
    for (OffsetAudit.Range r : ranges) {
      consumer.seek(tp, r.from());
      long runStart = -1;
      long last = -1;
      boolean done = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!done && System.nanoTime() < deadline) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty() && consumer.position(tp) >= r.to()) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> rec : records.records(tp)) {
          if (rec.offset() >= r.to()) {
            done = true;
            break;
          }
          if (runStart >= 0 && rec.offset() == last + 1) {
            last = rec.offset();
          } else {
            if (runStart >= 0) {
              found.add(new OffsetAudit.Range(runStart, last + 1));
            }
            runStart = rec.offset();
            last = rec.offset();
          }
        }
        if (consumer.position(tp) >= r.to()) {
          done = true;
        }
      }
      if (runStart >= 0) {
        found.add(new OffsetAudit.Range(runStart, last + 1));
      }
    }
    consumer.unsubscribe();
    return found;
  }

  private static final class LongBuffer {
    long[] values = new long[1024];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }

}
