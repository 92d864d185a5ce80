package io.tidemark.lake.cli;

/**
 * An input named on the command line that the command cannot use (a missing file, one that is
 * not the format its name says): exit code 2, since fixing the input helps and retrying does not.
 * The message names the input and the reason in one line.
 */
public final class UnusableInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnusableInputException(String message) {
    super(message);
  }
}
