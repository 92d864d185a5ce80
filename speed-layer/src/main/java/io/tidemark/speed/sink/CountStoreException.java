package io.tidemark.speed.sink;

/** A failed write to the {@link CountStore}; {@link #isRetryable()} says whether retrying makes sense. */
public class CountStoreException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public CountStoreException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when the same write can succeed later (server down or overloaded, timeout). */
  public boolean isRetryable() {
    return retryable;
  }
}
