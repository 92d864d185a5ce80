package io.tidemark.serving.query;

/**
 * A ClickHouse query of the serving layer failed. {@link #isUnavailable()} tells an unreachable or
 * slow server (retrying later can help; the API answers 503) from a query the server rejected
 * (a bug or a missing table; the API answers 500).
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean unavailable;
  private final int serverCode;

  QueryException(String message, boolean unavailable, int serverCode, Throwable cause) {
    super(message, cause);
    this.unavailable = unavailable;
    this.serverCode = serverCode;
  }

  /** Whether the server could not be reached or did not answer in time. */
  public boolean isUnavailable() {
    return unavailable;
  }

  /** ClickHouse's error code ({@code Code: n} of its message), or -1. */
  public int serverCode() {
    return serverCode;
  }
}
