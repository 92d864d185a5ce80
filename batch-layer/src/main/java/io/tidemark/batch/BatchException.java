package io.tidemark.batch;

/**
 * A batch run that cannot do what was asked, with a message naming the day and table. {@link
 * #isRetryable()} says whether running again unchanged may succeed (a lake commit conflict, an
 * unreachable store) or the input must change first (no data for the day, a bad date).
 */
public class BatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public BatchException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public BatchException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean isRetryable() {
    return retryable;
  }
}
