package io.tidemark.stack;

/**
 * The local stack could not do what was asked. The message is one line meant for the user and
 * names what to change (a port option and its environment variable, a command to run, a log file
 * to read).
 */
public class StackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StackException(String message) {
    super(message);
  }

  public StackException(String message, Throwable cause) {
    super(message, cause);
  }
}
