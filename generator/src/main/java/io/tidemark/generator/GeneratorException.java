package io.tidemark.generator;

/** A generator run could not deliver its records; the ground truth of the run is void. */
public class GeneratorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GeneratorException(String message, Throwable cause) {
    super(message, cause);
  }
}
