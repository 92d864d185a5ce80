package io.tidemark.schema;

/**
 * A failure talking to one of Tidemark's stores (ClickHouse, Kafka) or applying its schema.
 *
 * <p>The hierarchy is deliberately small so that callers decide one thing: whether retrying the
 * same call later can help ({@link #isRetryable()}). An unreachable server can come back; a wrong
 * password, a rejected statement or a changed migration will fail the same way again. Messages
 * are one sentence naming the server, the object and the configuration key to check, so the CLI
 * can print them as they are.
 */
public abstract class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether repeating the failed call unchanged may succeed (for example after a restart). */
  public abstract boolean isRetryable();
}
