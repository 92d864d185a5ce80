package io.tidemark.orchestration.stack;

/** The local Airflow could not be installed, started or stopped; the message says why and where to look. */
public final class AirflowStackException extends RuntimeException {
  public AirflowStackException(String message, Throwable cause) {
    super(message, cause);
  }

  public AirflowStackException(String message) {
    super(message);
  }
}
