package io.tidemark.core.metric;

/**
 * One cell of a count: a key (user or page, depending on the {@link CountMetric}) and the start of
 * its 1-minute window in epoch ms.
 */
public record WindowKey(String key, long windowStart) implements Comparable<WindowKey> {
  @Override
  public int compareTo(WindowKey o) {
    int c = key.compareTo(o.key);
    return c != 0 ? c : Long.compare(windowStart, o.windowStart);
  }
}
