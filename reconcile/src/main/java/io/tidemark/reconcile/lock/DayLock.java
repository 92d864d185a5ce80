package io.tidemark.reconcile.lock;

import io.tidemark.reconcile.ReconcileException;
import java.time.LocalDate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A held per-day reconcile lock ({@link DayLocks}). A daemon thread renews its lease every third of
 * the TTL while it is held; {@link #close()} releases it (idempotent). If the process dies, the lease
 * simply expires and the next run takes the day over.
 */
public final class DayLock implements AutoCloseable {
  private final DayLocks locks;
  private final LocalDate day;
  private final String token;
  private final AtomicInteger seq = new AtomicInteger(2);
  private final AtomicBoolean lost = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledExecutorService renewer;

  DayLock(DayLocks locks, LocalDate day, String token) {
    this.locks = locks;
    this.day = day;
    this.token = token;
    this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reconcile-lock-" + day);
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1_000, locks.ttl().toMillis() / 3);
    renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  public LocalDate day() {
    return day;
  }

  public String token() {
    return token;
  }

  private void renew() {
    try {
      if (!lost.get() && !locks.renew(this, seq.incrementAndGet())) {
        lost.set(true);
      }
    } catch (RuntimeException e) {
      // ClickHouse unreachable: the next renewal or ensureHeld() decides
    }
  }

  /**
   * Fails when the lease was lost (expired, e.g. after a pause longer than the TTL, and possibly
   * taken over): the caller must not change the day any more.
   *
   * @throws ReconcileException "Lost the reconcile lock of D ..."
   */
  public void ensureHeld() {
    if (lost.get() || !locks.isLive(this)) {
      lost.set(true);
      throw new ReconcileException("Lost the reconcile lock of " + day + " (lease of " + locks.ttl().toSeconds()
          + " s expired): stopped before changing the day further; rerun to complete it", true);
    }
  }

  /** Stops renewing and releases the lock. Idempotent; a failure leaves the lease to expire. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    renewer.shutdownNow();
    try {
      renewer.awaitTermination(10, TimeUnit.SECONDS);
      locks.release(this, seq.incrementAndGet());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // the lease expires by itself
    }
  }
}
