package io.tidemark.serving.api;

/** An answer other than 200 or 400 that the client caused: 401, 403, 404. */
public final class ApiStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  public ApiStatusException(int status, String error, String message) {
    super(message);
    this.status = status;
    this.error = error;
  }

  public int status() {
    return status;
  }

  /** Short machine-readable code, e.g. {@code unauthorized}. */
  public String error() {
    return error;
  }
}
