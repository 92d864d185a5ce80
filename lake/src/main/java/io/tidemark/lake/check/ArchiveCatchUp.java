package io.tidemark.lake.check;

import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the archive has caught up with the topic: every record the topic held when the wait
 * began is in the table.
 *
 * <p>Why: the nightly recompute counts what the lake holds. If the archive lags (a stopped or slow
 * Connect worker), the recompute misses events the speed layer counted, and reconcile would
 * overwrite correct ClickHouse counts with lower ones. So the nightly waits for this first.
 *
 * <p>The target of each partition is the offset of its last record at the start (read with
 * {@code read_committed}: transaction markers and aborted records occupy offsets the archive never
 * holds). A partition has caught up when the table holds that record: the sink commits a
 * partition's records in offset order, together with its source offsets, so every earlier record
 * is in the same or an earlier snapshot. The check is an Iceberg scan filtered on topic, partition
 * and offset (file statistics prune it to a file or two), not a walk of recent snapshots, so a
 * partition quiet for days is found as well.
 */
public final class ArchiveCatchUp {
  private ArchiveCatchUp() {}

  /** A partition not yet archived up to its target. */
  public record Behind(int partition, long targetOffset) {}

  /** The outcome: {@code behind} is empty when the archive caught up. */
  public record Result(Map<Integer, Long> targets, List<Behind> behind, Duration waited) {
    public boolean caughtUp() {
      return behind.isEmpty();
    }
  }

  /** Per partition, the offset of its last committed record now; partitions without one are left out. */
  public static Map<Integer, Long> lastRecordOffsets(Consumer<byte[], byte[]> consumer, String topic) {
    List<TopicPartition> tps = new ArrayList<>();
    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException("Topic " + topic + " does not exist");
    }
    infos.forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps, Duration.ofSeconds(30));
    Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
    Map<Integer, Long> last = new TreeMap<>();
    for (TopicPartition tp : tps) {
      long b = begin.getOrDefault(tp, 0L);
      long e = end.getOrDefault(tp, 0L);
      long found = -1;
      // read backwards in growing windows until a record turns up (markers hold offsets too)
      for (long window = 64; found < 0 && e > b; window *= 8) {
        long from = Math.max(b, e - window);
        found = newestRecordIn(consumer, tp, from, e);
        if (from == b) {
          break;
        }
      }
      if (found >= 0) {
        last.put(tp.partition(), found);
      }
    }
    consumer.assign(List.of());
    return last;
  }

  private static long newestRecordIn(Consumer<byte[], byte[]> consumer, TopicPartition tp, long from, long end) {
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    long newest = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (consumer.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
        if (r.offset() < end) {
          newest = Math.max(newest, r.offset());
        }
      }
    }
    return newest;
  }

  /** The partitions whose target record the table does not hold yet. */
  public static List<Behind> behind(Table table, String topic, Map<Integer, Long> targets) {
    table.refresh();
    List<Behind> behind = new ArrayList<>();
    for (Map.Entry<Integer, Long> t : targets.entrySet()) {
      if (!holds(table, topic, t.getKey(), t.getValue())) {
        behind.add(new Behind(t.getKey(), t.getValue()));
      }
    }
    return behind;
  }

  private static boolean holds(Table table, String topic, int partition, long offset) {
    if (table.currentSnapshot() == null) {
      return false;
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table)
        .select(PageViewTable.KAFKA_OFFSET)
        .where(Expressions.and(
            Expressions.equal(PageViewTable.KAFKA_TOPIC, topic),
            Expressions.equal(PageViewTable.KAFKA_PARTITION, partition),
            Expressions.equal(PageViewTable.KAFKA_OFFSET, offset)))
        .build()) {
      for (Record r : rows) {
        // the scan filters files by statistics only: check the row itself
        if (Long.valueOf(offset).equals(r.getField(PageViewTable.KAFKA_OFFSET))) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Takes the targets now, then checks the table every {@code poll} until every partition caught
   * up or {@code timeout} passed.
   */
  public static Result await(Table table, Consumer<byte[], byte[]> consumer, String topic, Duration timeout, Duration poll,
      LongSupplier nanoClock) throws InterruptedException {
    long start = nanoClock.getAsLong();
    Map<Integer, Long> targets = lastRecordOffsets(consumer, topic);
    while (true) {
      List<Behind> behind = behind(table, topic, targets);
      Duration waited = Duration.ofNanos(nanoClock.getAsLong() - start);
      if (behind.isEmpty() || waited.compareTo(timeout) >= 0) {
        return new Result(targets, behind, waited);
      }
      Thread.sleep(poll.toMillis());
    }
  }
}
