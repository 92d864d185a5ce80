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
 * on both state backends. Ids stay grouped by the window they were counted in, so cleanup drops a
 * window's ids with the window.
 *
 * <p>Why this compact: on the heap backend the dedup ids are most of the job's memory and of the
 * garbage collector's copying work (every id lives for minutes). Most keys have one open window,
 * so the first window lives in fields, further ones in arrays. Ids in the canonical UUID form
 * (lowercase, 36 characters, what the generator and most producers write) are kept as two longs
 * (16 bytes instead of about 80 for the string); other ids as strings. A window's ids are a short
 * array scanned linearly until they outgrow {@link #LINEAR_SCAN_LIMIT}, then a hash set.
 *
 * <p>Per window the id container is one of: {@code null} (not deduplicating), a {@code long[]}
 * of UUID pairs (all ids canonical UUIDs), a {@code String[]} (some id is not), or a {@code
 * HashSet<Object>} of {@link Uuid} and {@code String}. A small container holds exactly {@code
 * count} ids. Mutable, owned by one operator; {@link WindowCellsSerializer} deep-copies it where
 * Flink needs a copy (the heap backend's copy-on-write snapshots).
 */
public final class WindowCells {
  static final int LINEAR_SCAN_LIMIT = 16;

  /** A canonical UUID event_id as two longs, inside large id sets. */
  record Uuid(long hi, long lo) {}

  private long start0;
  private long count0;
  private Object ids0;
  private long[] moreStarts;
  private long[] moreCounts;
  private Object[] moreIds;
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
    return size > 0 && contains(EventId.of(eventId));
  }

  private boolean contains(EventId id) {
    for (int i = 0; i < size; i++) {
      if (containsIn(idsAt(i), countAt(i), id)) {
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
    long count = countAt(i);
    if (eventId != null) {
      setIds(i, remember(idsAt(i), count, EventId.of(eventId)));
    }
    setCount(i, count + 1);
    return count + 1;
  }

  /**
   * Counts an event in its window unless its id was already counted in an open window; the id is
   * parsed once for both steps (the per-event path of the dedup operator).
   *
   * @return the window's new count, or 0 when the event is a duplicate
   */
  public long addIfNew(long windowStart, String eventId) {
    EventId id = EventId.of(eventId);
    if (contains(id)) {
      return 0;
    }
    int i = indexOf(windowStart);
    if (i < 0) {
      i = open(windowStart);
    }
    long count = countAt(i);
    setIds(i, remember(idsAt(i), count, id));
    setCount(i, count + 1);
    return count + 1;
  }

  /** Adds {@code delta} to a window's count (no dedup) and returns the new count. */
  public long addCount(long windowStart, long delta) {
    int i = indexOf(windowStart);
    if (i < 0) {
      i = open(windowStart);
    }
    long count = countAt(i) + delta;
    setCount(i, count);
    return count;
  }

  /** Drops the window and the ids counted in it; no-op when it is not open. */
  public void remove(long windowStart) {
    int i = indexOf(windowStart);
    if (i < 0) {
      return;
    }
    // move the last window into the gap (order does not matter)
    int last = size - 1;
    if (i != last) {
      setWindow(i, windowStartAt(last), countAt(last), idsAt(last));
    }
    setWindow(last, 0, 0, null);
    size--;
  }

  /** The count of a window, 0 when it is not open. */
  public long count(long windowStart) {
    int i = indexOf(windowStart);
    return i < 0 ? 0 : countAt(i);
  }

  long windowStartAt(int i) {
    return i == 0 ? start0 : moreStarts[i - 1];
  }

  long countAt(int i) {
    return i == 0 ? count0 : moreCounts[i - 1];
  }

  Object idsAt(int i) {
    return i == 0 ? ids0 : moreIds[i - 1];
  }

  /** The ids counted in window {@code i}, or null when it does not deduplicate. */
  EventId[] eventIdsAt(int i) {
    Object ids = idsAt(i);
    int n = (int) countAt(i);
    if (ids == null) {
      return null;
    } else if (ids instanceof long[] pairs) {
      EventId[] out = new EventId[n];
      for (int j = 0; j < n; j++) {
        out[j] = new EventId(null, true, pairs[2 * j], pairs[2 * j + 1]);
      }
      return out;
    } else if (ids instanceof String[] arr) {
      EventId[] out = new EventId[n];
      for (int j = 0; j < n; j++) {
        out[j] = EventId.of(arr[j]);
      }
      return out;
    }
    Set<?> set = (Set<?>) ids;
    EventId[] out = new EventId[set.size()];
    int j = 0;
    for (Object o : set) {
      out[j++] = o instanceof Uuid u ? new EventId(null, true, u.hi(), u.lo()) : EventId.of((String) o);
    }
    return out;
  }

  /** Appends a window read back by the serializer: its ids are re-added one by one. */
  void append(long windowStart, long count, EventId[] windowIds) {
    int i = open(windowStart);
    if (windowIds == null) {
      setCount(i, count);
      return;
    }
    for (EventId id : windowIds) {
      long c = countAt(i);
      setIds(i, remember(idsAt(i), c, id));
      setCount(i, c + 1);
    }
  }

  private int indexOf(long windowStart) {
    for (int i = 0; i < size; i++) {
      if (windowStartAt(i) == windowStart) {
        return i;
      }
    }
    return -1;
  }

  private int open(long windowStart) {
    int i = size;
    if (i > 0 && (moreStarts == null || moreStarts.length < i)) {
      int n = Math.max(2, i * 2);
      moreStarts = moreStarts == null ? new long[n] : Arrays.copyOf(moreStarts, n);
      moreCounts = moreCounts == null ? new long[n] : Arrays.copyOf(moreCounts, n);
      moreIds = moreIds == null ? new Object[n] : Arrays.copyOf(moreIds, n);
    }
    setWindow(i, windowStart, 0, null);
    size++;
    return i;
  }

  private void setWindow(int i, long windowStart, long count, Object ids) {
    if (i == 0) {
      start0 = windowStart;
      count0 = count;
      ids0 = ids;
    } else {
      moreStarts[i - 1] = windowStart;
      moreCounts[i - 1] = count;
      moreIds[i - 1] = ids;
    }
  }

  private void setCount(int i, long count) {
    if (i == 0) {
      count0 = count;
    } else {
      moreCounts[i - 1] = count;
    }
  }

  private void setIds(int i, Object ids) {
    if (i == 0) {
      ids0 = ids;
    } else {
      moreIds[i - 1] = ids;
    }
  }

  private static boolean containsIn(Object ids, long count, EventId id) {
    if (ids == null) {
      return false;
    }
    int n = (int) count;
    if (ids instanceof long[] pairs) {
      if (!id.isUuid()) {
        return false;
      }
      for (int j = 0; j < n; j++) {
        if (pairs[2 * j] == id.hi() && pairs[2 * j + 1] == id.lo()) {
          return true;
        }
      }
      return false;
    }
    if (ids instanceof String[] arr) {
      for (int j = 0; j < n; j++) {
        if (arr[j].equals(id.asText())) {
          return true;
        }
      }
      return false;
    }
    return ((Set<?>) ids).contains(id.element());
  }

  /** Adds {@code id} to a container holding {@code n} ids; returns the (possibly new) container. */
  private static Object remember(Object ids, long count, EventId id) {
    int n = (int) count;
    if (ids == null) {
      return id.isUuid() ? new long[] {id.hi(), id.lo()} : new String[] {id.asText()};
    }
    if (n >= LINEAR_SCAN_LIMIT && !(ids instanceof Set)) {
      ids = toSet(ids, n);
    }
    if (ids instanceof Set) {
      @SuppressWarnings("unchecked")
      Set<Object> set = (Set<Object>) ids;
      set.add(id.element());
      return set;
    }
    if (ids instanceof long[] pairs) {
      if (!id.isUuid()) {
        String[] arr = new String[Math.max(2, n * 2)];
        for (int j = 0; j < n; j++) {
          arr[j] = new java.util.UUID(pairs[2 * j], pairs[2 * j + 1]).toString();
        }
        arr[n] = id.asText();
        return arr;
      }
      if (2 * n + 2 > pairs.length) {
        pairs = Arrays.copyOf(pairs, Math.min(2 * LINEAR_SCAN_LIMIT, 4 * n));
      }
      pairs[2 * n] = id.hi();
      pairs[2 * n + 1] = id.lo();
      return pairs;
    }
    String[] arr = (String[]) ids;
    if (n == arr.length) {
      arr = Arrays.copyOf(arr, Math.min(LINEAR_SCAN_LIMIT, n * 2));
    }
    arr[n] = id.asText();
    return arr;
  }

  private static Set<Object> toSet(Object ids, int n) {
    Set<Object> set = new HashSet<>(n * 2);
    if (ids instanceof long[] pairs) {
      for (int j = 0; j < n; j++) {
        set.add(new Uuid(pairs[2 * j], pairs[2 * j + 1]));
      }
    } else {
      for (int j = 0; j < n; j++) {
        set.add(EventId.of(((String[]) ids)[j]).element());
      }
    }
    return set;
  }

  /** A deep copy: arrays and sets are copied, the immutable strings and UUID records shared. */
  WindowCells copy() {
    WindowCells c = new WindowCells();
    c.start0 = start0;
    c.count0 = count0;
    c.ids0 = copyIds(ids0);
    if (moreStarts != null) {
      c.moreStarts = moreStarts.clone();
      c.moreCounts = moreCounts.clone();
      c.moreIds = new Object[moreIds.length];
      for (int i = 0; i < moreIds.length; i++) {
        c.moreIds[i] = copyIds(moreIds[i]);
      }
    }
    c.size = size;
    return c;
  }

  private static Object copyIds(Object ids) {
    if (ids instanceof long[] pairs) {
      return pairs.clone();
    } else if (ids instanceof String[] arr) {
      return arr.clone();
    } else if (ids instanceof HashSet<?> set) {
      return new HashSet<>(set);
    }
    return null;
  }

  /**
   * An event_id as compared: a canonical UUID becomes two longs, anything else stays a string.
   * Only the lowercase canonical form is converted, so two different strings never map to the
   * same pair.
   */
  record EventId(String text, boolean isUuid, long hi, long lo) {
    static EventId of(String s) {
      if (s.length() != 36 || s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') {
        return new EventId(s, false, 0, 0);
      }
      long hi = 0;
      long lo = 0;
      int digits = 0;
      for (int k = 0; k < 36; k++) {
        if (k == 8 || k == 13 || k == 18 || k == 23) {
          continue;
        }
        int v = hex(s.charAt(k));
        if (v < 0) {
          return new EventId(s, false, 0, 0);
        }
        if (digits < 16) {
          hi = (hi << 4) | v;
        } else {
          lo = (lo << 4) | v;
        }
        digits++;
      }
      return new EventId(s, true, hi, lo);
    }

    /** Value of each lowercase hex digit, -1 for every other ASCII character. */
    private static final byte[] HEX = hexTable();

    private static byte[] hexTable() {
      byte[] t = new byte[128];
      java.util.Arrays.fill(t, (byte) -1);
      for (int d = 0; d < 10; d++) {
        t['0' + d] = (byte) d;
      }
      for (int d = 0; d < 6; d++) {
        t['a' + d] = (byte) (10 + d);
      }
      return t;
    }

    private static int hex(char c) {
      return c < 128 ? HEX[c] : -1; // upper case is not canonical: kept as a string
    }

    Object element() {
      return isUuid ? new Uuid(hi, lo) : text;
    }

    /** The id as a string (rebuilt from the pair when it was read back as one). */
    String asText() {
      return text != null ? text : new java.util.UUID(hi, lo).toString();
    }
  }
}
