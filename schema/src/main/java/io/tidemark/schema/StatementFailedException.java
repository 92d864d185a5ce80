package io.tidemark.schema;

/**
 * The server received a statement and rejected it (syntax, missing table, type mismatch, a
 * limit). Carries the server's error code ({@code -1} when none was given). Retryable only for
 * the few server codes that describe a transient condition (too many parts or simultaneous
 * queries, a timeout, memory); a retry of the other codes fails the same way.
 */
public class StatementFailedException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final int serverCode;
  private final boolean retryable;

  public StatementFailedException(String message, int serverCode, boolean retryable, Throwable cause) {
    super(message, cause);
    this.serverCode = serverCode;
    this.retryable = retryable;
  }

  /** ClickHouse's numeric error code, or {@code -1} when the failure carried none. */
  public int serverCode() {
    return serverCode;
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}
