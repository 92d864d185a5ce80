package io.tidemark.core.config;

/**
 * Bad or missing configuration. Never retryable: the message names the key (and its environment
 * variable) to fix, and is meant to be shown to the user as one line.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
