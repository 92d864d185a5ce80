package io.tidemark.schema;

/**
 * The store could not be reached or did not answer in time: connection refused, unknown host,
 * timeout. Retryable. When it interrupts a call that changes data, the server may or may not have
 * applied the change; every Tidemark write is idempotent, so repeating it is the way to find out.
 */
public class StoreUnavailableException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
