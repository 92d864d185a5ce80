package io.tidemark.serving.query;

/**
 * A ClickHouse query of the serving layer failed. {@link #isUnavailable()} tells an unreachable or
 * slow server, or an open circuit breaker (retrying later can help; the API answers 503), from a
 * query the server rejected (a bug or a missing table; the API answers 500). The message names
 * the server's URL and is meant for the log, not for unauthenticated API callers.
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the query failed; also the cause a rate-limited log line is counted under. */
  public enum Kind {
    /** No connection, or it broke before an answer. */
    UNREACHABLE,
    /** No answer within {@code tidemark.serving.query-timeout}. */
    TIMEOUT,
    /** Not sent: the circuit breaker is open after consecutive failures. */
    CIRCUIT_OPEN,
    /** The server answered with an error. */
    REJECTED
  }

  private final Kind kind;
  private final int serverCode;

  QueryException(String message, Kind kind, int serverCode, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.serverCode = serverCode;
  }

  /** Whether the server could not be reached, did not answer in time, or was not asked (breaker open). */
  public boolean isUnavailable() {
    return kind != Kind.REJECTED;
  }

  public Kind kind() {
    return kind;
  }

  /** ClickHouse's error code ({@code Code: n} of its message), or -1. */
  public int serverCode() {
    return serverCode;
  }
}
