package io.tidemark.cli;

/** An error whose message tells the user what to do; printed as one line, no stack trace. */
public class UserFacingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserFacingException(String message) {
    super(message);
  }
}
