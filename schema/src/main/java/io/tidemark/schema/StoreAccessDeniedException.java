package io.tidemark.schema;

/**
 * The store answered but refused the credentials (unknown user, wrong password) or the user's
 * rights. Not retryable: the configuration named in the message has to change first.
 */
public class StoreAccessDeniedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreAccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
