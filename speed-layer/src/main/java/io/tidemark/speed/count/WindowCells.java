package io.tidemark.speed.count;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Everything a count operator keeps for one key: its open 1-minute windows, each with its count
 * and (when deduplicating) the event_ids counted in it.
 *
 * <p>Why one object instead of a {@code MapState} of counts next to a {@code MapState} of event_ids:
 * with a million keys every state access is a lookup in a large hash table (a cache miss), and
 * the two-map layout needed about ten of them per event (contains, put, get, put, and on cleanup
 * remove, isEmpty, clear, iterate, isEmpty, clear). One value per key needs two (read, write)
 * on both state backends. A key has few open windows (the window plus the allowed lateness and
 * dedup retention), so they sit in small arrays; the ids of a window are a short array scanned
 * linearly until it outgrows {@link #LINEAR_SCAN_LIMIT}, then a hash set. Ids stay grouped by the
 * window they were counted in, so cleanup drops a window's ids with the window.
 *
 * <p>Mutable, owned by one operator; {@link WindowCellsSerializer} deep-copies it where Flink
 * needs a copy (the heap backend's copy-on-write snapshots).
 */
public final class WindowCells {
  static final int LINEAR_SCAN_LIMIT = 16;

  private long[] windowStarts = new long[2];
  private long[] counts = new long[2];
  /** Per window: null (no dedup), a {@code String[]} of {@code counts[i]} ids, or a {@code HashSet<String>}. */
  private Object[] ids = new Object[2];
  private int size;

  /** Number of open windows. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Whether {@code eventId} was counted in any open window of this key. */
  public boolean contains(String eventId) {
    for (int i = 0; i < size; i++) {
      Object set = ids[i];
      if (set instanceof String[] arr) {
        int n = (int) Math.min(counts[i], arr.length);
        for (int j = 0; j < n; j++) {
          if (arr[j].equals(eventId)) {
            return true;
          }
        }
      } else if (set instanceof HashSet<?> hs && hs.contains(eventId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Counts one event in its window and returns the window's new count.
   *
   * @param eventId the event's dedup key, or null when the operator does not deduplicate
   * @return the new count; 1 means the window was opened by this event
   */
  public long add(long windowStart, String eventId) {
    int i = indexOf(windowStart);
    if (i < 0) {
      i = open(windowStart);
    }
    if (eventId != null) {
      remember(i, eventId);
    }
    return ++counts[i];
  }

  /** Adds {@code delta} to a window's count (no dedup) and returns the new count. */
  public long addCount(long windowStart, long delta) {
    int i = indexOf(windowStart);
    if (i < 0) {
      i = open(windowStart);
    }
    counts[i] += delta;
    return counts[i];
  }

  /** Drops the window and the ids counted in it; no-op when it is not open. */
  public void remove(long windowStart) {
    int i = indexOf(windowStart);
    if (i < 0) {
      return;
    }
    int tail = size - i - 1;
    System.arraycopy(windowStarts, i + 1, windowStarts, i, tail);
    System.arraycopy(counts, i + 1, counts, i, tail);
    System.arraycopy(ids, i + 1, ids, i, tail);
    size--;
    ids[size] = null;
  }

  /** The count of a window, 0 when it is not open. */
  public long count(long windowStart) {
    int i = indexOf(windowStart);
    return i < 0 ? 0 : counts[i];
  }

  long windowStart(int i) {
    return windowStarts[i];
  }

  long countAt(int i) {
    return counts[i];
  }

  /** The ids counted in window {@code i}, in counting order for small windows. */
  String[] idsAt(int i) {
    Object set = ids[i];
    if (set == null) {
      return null;
    }
    if (set instanceof String[] arr) {
      return Arrays.copyOf(arr, (int) counts[i]);
    }
    @SuppressWarnings("unchecked")
    Set<String> hs = (Set<String>) set;
    return hs.toArray(new String[0]);
  }

  /** Appends a window read back by the serializer. */
  void append(long windowStart, long count, String[] windowIds) {
    int i = open(windowStart);
    counts[i] = count;
    if (windowIds != null) {
      ids[i] = windowIds.length <= LINEAR_SCAN_LIMIT ? windowIds : new HashSet<>(Arrays.asList(windowIds));
    }
  }

  private int indexOf(long windowStart) {
    for (int i = 0; i < size; i++) {
      if (windowStarts[i] == windowStart) {
        return i;
      }
    }
    return -1;
  }

  private int open(long windowStart) {
    if (size == windowStarts.length) {
      int n = size * 2;
      windowStarts = Arrays.copyOf(windowStarts, n);
      counts = Arrays.copyOf(counts, n);
      ids = Arrays.copyOf(ids, n);
    }
    windowStarts[size] = windowStart;
    counts[size] = 0;
    ids[size] = null;
    return size++;
  }

  private void remember(int i, String eventId) {
    Object set = ids[i];
    int n = (int) counts[i]; // ids counted so far in this window
    if (set == null) {
      String[] arr = new String[1];
      arr[0] = eventId;
      ids[i] = arr;
    } else if (set instanceof String[] arr) {
      if (n < arr.length) {
        arr[n] = eventId;
      } else if (n < LINEAR_SCAN_LIMIT) {
        String[] grown = Arrays.copyOf(arr, Math.min(LINEAR_SCAN_LIMIT, Math.max(2, n * 2)));
        grown[n] = eventId;
        ids[i] = grown;
      } else {
        HashSet<String> hs = new HashSet<>(Arrays.asList(arr).subList(0, n));
        hs.add(eventId);
        ids[i] = hs;
      }
    } else {
      @SuppressWarnings("unchecked")
      Set<String> hs = (Set<String>) set;
      hs.add(eventId);
    }
  }

  /** A deep copy: arrays and sets are copied, the immutable strings shared. */
  WindowCells copy() {
    WindowCells c = new WindowCells();
    c.windowStarts = Arrays.copyOf(windowStarts, Math.max(2, size));
    c.counts = Arrays.copyOf(counts, Math.max(2, size));
    c.ids = new Object[Math.max(2, size)];
    for (int i = 0; i < size; i++) {
      Object set = ids[i];
      if (set instanceof String[] arr) {
        c.ids[i] = arr.clone();
      } else if (set instanceof HashSet<?> hs) {
        c.ids[i] = new HashSet<>(hs);
      }
    }
    c.size = size;
    return c;
  }
}
