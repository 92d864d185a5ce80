package io.tidemark.core.registry;

/**
 * A schema registry request that did not succeed. {@link #isRetryable()} tells callers whether
 * waiting and asking again can help: a registry that is down, slow or answering 5xx is not bad
 * input, so an Avro decoder must retry (backpressure) rather than dead-letter a record because of
 * it. The subclasses are the answers that a retry will not change.
 */
public class SchemaRegistryException extends RuntimeException {
  private final boolean retryable;
  private final int status;

  /**
   * @param status the HTTP status, or 0 when no response arrived
   */
  public SchemaRegistryException(String message, int status, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retryable = retryable;
  }

  /** Whether the same request may succeed later (I/O failure, timeout, 5xx, 429). */
  public boolean isRetryable() {
    return retryable;
  }

  /** The HTTP status of the registry's answer, or 0 when none arrived. */
  public int status() {
    return status;
  }

  /** The subject, version or schema id does not exist (404). Not retryable. */
  public static final class NotFound extends SchemaRegistryException {
    public NotFound(String message) {
      super(message, 404, false, null);
    }
  }

  /** The registry refused a schema as incompatible with the subject's versions (409). */
  public static final class Incompatible extends SchemaRegistryException {
    public Incompatible(String message) {
      super(message, 409, false, null);
    }
  }

  /** The registry refused a schema or setting as invalid (422), e.g. a schema that does not parse. */
  public static final class Invalid extends SchemaRegistryException {
    public Invalid(String message) {
      super(message, 422, false, null);
    }
  }
}
