package io.tidemark.serving.api;

/** A request parameter is missing, malformed or out of bounds: HTTP 400 with this message. */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    super(message);
  }
}
