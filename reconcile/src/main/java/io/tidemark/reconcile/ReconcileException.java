package io.tidemark.reconcile;

/**
 * A reconcile, backfill or drift request that cannot be done, with a message naming the day and
 * table. {@link #isRetryable()} says whether running again unchanged may succeed.
 */
public class ReconcileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public ReconcileException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public ReconcileException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean isRetryable() {
    return retryable;
  }
}
