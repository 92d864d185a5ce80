package io.tidemark.reconcile.drift;

/**
 * One (key, window) whose counts differ, with how the difference splits into causes.
 *
 * @param diff {@code batch - speed}: positive when the speed layer is short
 * @param tooLate part of a shortfall explained by events that arrived too late
 * @param notStreamed part explained by events that never went through Kafka
 * @param missing the rest of a shortfall
 * @param overCounted {@code -diff} when the speed layer counted more, else 0
 */
public record KeyDiff(
    String key, long windowStart, long batch, long speed, long diff, long tooLate, long notStreamed,
    long missing, long overCounted) {

  /** The causes present, joined with {@code +} (e.g. {@code too-late+missing-from-speed}). */
  public String cause() {
    StringBuilder b = new StringBuilder();
    append(b, tooLate, Cause.TOO_LATE);
    append(b, notStreamed, Cause.NOT_STREAMED);
    append(b, missing, Cause.MISSING_FROM_SPEED);
    append(b, overCounted, Cause.OVER_COUNTED);
    return b.toString();
  }

  private static void append(StringBuilder b, long n, Cause c) {
    if (n > 0) {
      b.append(b.length() == 0 ? "" : "+").append(c.code());
    }
  }
}
