package io.tidemark.schema;

/**
 * The recorded schema history and the migrations in this build disagree: an applied migration
 * was edited (checksum changed), or the database holds a migration this build does not know.
 * Never retryable, and raised before any statement runs, so the database is left as it was.
 */
public class MigrationException extends StoreException {
  private static final long serialVersionUID = 1L;

  public MigrationException(String message) {
    super(message, null);
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
