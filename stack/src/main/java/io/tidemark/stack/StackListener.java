package io.tidemark.stack;

/**
 * Receives one-line progress messages while the stack starts or stops, e.g. for the CLI to print.
 *
 * <p>Services start in parallel, so implementations may be called from several threads; {@link
 * LocalStack} serialises the calls, so an implementation need not be thread-safe itself.
 */
@FunctionalInterface
public interface StackListener {
  /** A listener that drops every message. */
  StackListener SILENT = (service, message) -> {};

  /**
   * @param service the service the message is about, or {@code null} for the stack as a whole
   * @param message a short sentence, no trailing newline
   */
  void progress(Service service, String message);
}
