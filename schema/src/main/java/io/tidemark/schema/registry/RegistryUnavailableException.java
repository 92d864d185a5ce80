package io.tidemark.schema.registry;

import io.tidemark.schema.StoreUnavailableException;

/**
 * The schema registry could not be reached or answered with a server error. Retryable; the
 * message names the URL and the key that sets it.
 */
public final class RegistryUnavailableException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
