package io.tidemark.speed.count;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which keys have a window to drop when the watermark reaches a given time: the dedup operator's
 * replacement for one event-time timer per (key, window).
 *
 * <p>Why: with a million users nearly every event opens a window, and a Flink timer per window cost
 * about a fifth of the per-user thread (a hash set and a binary heap of a million entries, updated
 * per event) and a third of every checkpoint's asynchronous part (each timer is written with its
 * key). Cleanup times are minute-aligned, so here a key is appended to its minute's list (no
 * hashing, no ordering within the minute) and a whole minute is drained when the watermark passes
 * it. The index is not checkpointed: it is derived from the keyed state, and the operator rebuilds
 * it from there on restore. A key may be listed more than once (one entry per window it opened);
 * expiring a key is idempotent.
 */
final class ExpiryIndex {
  private final TreeMap<Long, ArrayList<String>> keysByTime = new TreeMap<>();
  private long lastTime = Long.MIN_VALUE;
  private ArrayList<String> lastKeys;
  private long entries;

  /** Lists {@code key} as having a window to expire at {@code time}. */
  void add(long time, String key) {
    if (lastKeys == null || time != lastTime) {
      lastKeys = keysByTime.computeIfAbsent(time, t -> new ArrayList<>());
      lastTime = time;
    }
    lastKeys.add(key);
    entries++;
  }

  /** Removes every entry due at or before {@code watermark} and hands its key over, earliest time first. */
  void drainUpTo(long watermark, Consumer<String> expire) {
    while (!keysByTime.isEmpty() && keysByTime.firstKey() <= watermark) {
      Map.Entry<Long, ArrayList<String>> due = keysByTime.pollFirstEntry();
      if (due.getValue() == lastKeys) {
        lastKeys = null;
      }
      entries -= due.getValue().size();
      due.getValue().forEach(expire);
    }
  }

  /** Entries not yet drained (keys with more than one window count once per window). */
  long size() {
    return entries;
  }
}
