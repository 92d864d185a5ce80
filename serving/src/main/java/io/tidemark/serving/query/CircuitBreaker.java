package io.tidemark.serving.query;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A circuit breaker on ClickHouse failures. Without it every request of every client waited for
 * ClickHouse to time out (or retried a refused connection) while it was down, so an outage made
 * each request slow and each client's retry loop hammer a server that was trying to come back.
 *
 * <ul>
 *   <li><b>closed</b>: queries go out; {@code failures} consecutive failures (unreachable or no
 *       answer in time; a query the server answers, even with an error, is a success) open it.
 *   <li><b>open</b>: {@link #tryAcquire()} refuses at once, for {@code openTime}.
 *   <li><b>half-open</b>: after {@code openTime} exactly one query (the probe) goes out while the
 *       others are still refused; its success closes the breaker, its failure opens it again.
 * </ul>
 *
 * <p>Thread-safe. A caller that was let through must report {@link #onSuccess()} or {@link
 * #onFailure()} exactly once, else a half-open breaker stays waiting for its probe.
 */
public final class CircuitBreaker {
  /** The breaker's state, as exported on /metrics (0, 1, 2). */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /** What {@link #onSuccess()} / {@link #onFailure()} changed, for the caller to log. */
  public enum Transition {
    NONE,
    OPENED,
    REOPENED,
    CLOSED
  }

  private final int failures;
  private final long openNanos;
  private final LongSupplier nanoTime;

  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAt;
  private long firstOpenedAt;
  private boolean probeOut;
  private long refused;

  public CircuitBreaker(int failures, Duration openTime) {
    this(failures, openTime, System::nanoTime);
  }

  CircuitBreaker(int failures, Duration openTime, LongSupplier nanoTime) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, got " + failures);
    }
    this.failures = failures;
    this.openNanos = openTime.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Whether a query may go out now: always while closed, never while open, and once per open
   * period while half-open (the probe).
   */
  public synchronized boolean tryAcquire() {
    if (state == State.CLOSED) {
      return true;
    }
    if (state == State.OPEN && nanoTime.getAsLong() - openedAt >= openNanos) {
      state = State.HALF_OPEN;
      probeOut = false;
    }
    if (state == State.HALF_OPEN && !probeOut) {
      probeOut = true;
      return true;
    }
    refused++;
    return false;
  }

  /** The server answered. */
  public synchronized Transition onSuccess() {
    consecutiveFailures = 0;
    if (state == State.CLOSED) {
      return Transition.NONE;
    }
    state = State.CLOSED;
    probeOut = false;
    return Transition.CLOSED;
  }

  /** The server could not be reached or did not answer in time. */
  public synchronized Transition onFailure() {
    consecutiveFailures++;
    long now = nanoTime.getAsLong();
    if (state == State.HALF_OPEN) {
      state = State.OPEN;
      openedAt = now;
      probeOut = false;
      return Transition.REOPENED;
    }
    if (state == State.CLOSED && consecutiveFailures >= failures) {
      state = State.OPEN;
      openedAt = now;
      firstOpenedAt = now;
      refused = 0;
      return Transition.OPENED;
    }
    return Transition.NONE;
  }

  public synchronized State state() {
    return state;
  }

  /** Consecutive failures so far (0 after a success). */
  public synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Queries refused since the breaker last opened from closed. */
  public synchronized long refused() {
    return refused;
  }

  /** Time until the next probe may go out (zero unless open). */
  public synchronized Duration untilProbe() {
    if (state != State.OPEN) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.max(0, openNanos - (nanoTime.getAsLong() - openedAt)));
  }

  /** How long ago the breaker opened from closed (for the "closed again after" log line). */
  public synchronized Duration sinceFirstOpened() {
    return Duration.ofNanos(nanoTime.getAsLong() - firstOpenedAt);
  }
}
