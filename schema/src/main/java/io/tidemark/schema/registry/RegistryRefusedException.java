package io.tidemark.schema.registry;

import io.tidemark.schema.StoreException;

/**
 * The schema registry refused a request in a way a retry will not change: a reader schema
 * incompatible with the subject's versions under its compatibility level, a schema it cannot
 * parse, a level it does not know. The registry is left as it was by the refused request.
 */
public final class RegistryRefusedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public RegistryRefusedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
