package io.tidemark.lake.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Audit of the Kafka offsets archived for one topic partition: offsets archived more than once
 * and holes between the smallest and the largest archived offset.
 *
 * <p>A hole is only a candidate for loss: Kafka leaves offsets without records (transaction
 * markers, compaction), so {@link ArchiveVerifier} confirms each hole against the topic.
 */
public record OffsetAudit(
    int partition, long count, long min, long max, List<Long> duplicates, long duplicateRows, List<Range> holes) {

  /** Offsets {@code [from, to)} of one partition. */
  public record Range(long from, long to) {
    public long size() {
      return to - from;
    }

    @Override
    public String toString() {
      return size() == 1 ? Long.toString(from) : from + ".." + (to - 1);
    }
  }

  /** At most this many duplicate offsets are listed (all are counted). */
  public static final int MAX_LISTED = 100;

  /**
   * Audits the offsets of one partition.
   *
   * @param offsets the archived offsets in any order; sorted in place
   * @param length how many entries of {@code offsets} are used
   */
  public static OffsetAudit of(int partition, long[] offsets, int length) {
    if (length == 0) {
      return new OffsetAudit(partition, 0, -1, -1, List.of(), 0, List.of());
    }
    Arrays.sort(offsets, 0, length);
    List<Long> dups = new ArrayList<>();
    List<Range> holes = new ArrayList<>();
    long dupRows = 0;
    for (int i = 1; i < length; i++) {
      long prev = offsets[i - 1];
      long cur = offsets[i];
      if (cur == prev) {
        dupRows++;
        if ((dups.isEmpty() || dups.get(dups.size() - 1) != cur) && dups.size() < MAX_LISTED) {
          dups.add(cur);
        }
      } else if (cur > prev + 1) {
        holes.add(new Range(prev + 1, cur));
      }
    }
    return new OffsetAudit(partition, length, offsets[0], offsets[length - 1], dups, dupRows, holes);
  }
}
