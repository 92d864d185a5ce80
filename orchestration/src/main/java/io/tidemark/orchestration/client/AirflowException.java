package io.tidemark.orchestration.client;

/**
 * A request to Airflow failed; the message is one sentence a user can act on.
 *
 * <p>{@link #isRetryable()} says whether repeating the same request may succeed (Airflow was
 * unreachable or answered 5xx) or not (bad credentials, unknown DAG, invalid input, conflict).
 */
public final class AirflowException extends RuntimeException {
  /** Why a request failed. */
  public enum Kind {
    /** No HTTP answer: connection refused, timeout, DNS. Retryable. */
    UNREACHABLE(true),
    /** The credentials were rejected (401 on /auth/token) or the token lacks permission (403). */
    BAD_CREDENTIALS(false),
    /** The DAG or run does not exist (404). */
    NOT_FOUND(false),
    /** Airflow rejected the request's content (400, 422) or the caller's input was invalid. */
    INVALID_REQUEST(false),
    /** The run already exists (409). */
    CONFLICT(false),
    /** Airflow answered 5xx or something unexpected. Retryable. */
    SERVER_ERROR(true);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }
  }

  private final Kind kind;
  private final int status;

  public AirflowException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  public AirflowException(Kind kind, String message) {
    this(kind, 0, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status Airflow answered with, or 0 when there was no answer. */
  public int status() {
    return status;
  }

  public boolean isRetryable() {
    return kind.retryable;
  }
}
