package io.tidemark.serving.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines limited to one per cause per interval. During an outage every request fails for the
 * same reason; logging each one buried the log (64 clients wrote 94,855 WARN lines, 16 MB, in
 * 20 s of ClickHouse outage) and cost more than the requests. The first failure of a cause is
 * logged at once; the ones that follow within the interval are only counted, and the next line
 * logged for that cause says how many were held back ({@code "... (1234 more like this in the
 * last 10s not logged)"}).
 *
 * <p>Thread-safe. Counts held back when the process stops are lost, which is acceptable for a
 * log; the metrics count every failure.
 */
public final class RateLimitedLog {
  private final Consumer<String> sink;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    long startedAt;
    long heldBack;
  }

  /** Lines go to {@code log} at WARN. */
  public RateLimitedLog(Logger log, Duration interval) {
    this(log::warn, interval, System::nanoTime);
  }

  RateLimitedLog(Consumer<String> sink, Duration interval, LongSupplier nanoTime) {
    this.sink = sink;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Logs {@code message} at WARN unless a line of the same {@code cause} was logged less than an
   * interval ago, in which case it is counted for the next line of that cause.
   *
   * @return whether the line was written
   */
  public boolean warn(String cause, String message) {
    long now = nanoTime.getAsLong();
    long heldBack;
    Window w = windows.computeIfAbsent(cause, c -> {
      Window fresh = new Window();
      fresh.startedAt = now - intervalNanos; // the first line of a cause is always written
      return fresh;
    });
    synchronized (w) {
      if (intervalNanos > 0 && now - w.startedAt < intervalNanos) {
        w.heldBack++;
        return false;
      }
      heldBack = w.heldBack;
      w.heldBack = 0;
      w.startedAt = now;
    }
    sink.accept(heldBack == 0 ? message
        : message + " (" + heldBack + " more like this in the last " + human(intervalNanos) + " not logged)");
    return true;
  }

  /** Lines of {@code cause} counted but not written since its last line. */
  public long heldBack(String cause) {
    Window w = windows.get(cause);
    if (w == null) {
      return 0;
    }
    synchronized (w) {
      return w.heldBack;
    }
  }

  private static String human(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
