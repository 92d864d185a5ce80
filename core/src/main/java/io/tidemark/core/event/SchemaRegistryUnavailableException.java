package io.tidemark.core.event;

/**
 * The schema registry could not answer a lookup (connection refused, timeout, HTTP 5xx): always
 * worth a retry, never a verdict on the record being decoded.
 */
public class SchemaRegistryUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public SchemaRegistryUnavailableException(String message) {
    super(message);
  }
}
