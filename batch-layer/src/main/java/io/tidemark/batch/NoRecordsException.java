package io.tidemark.batch;

import java.time.LocalDate;

/**
 * The lake holds no record of the day asked for: nothing was written. Not retryable (running again
 * finds the same lake), and a type of its own so that a backfill can report the day as {@code
 * no_data} and go on rather than fail, without matching the message.
 */
public final class NoRecordsException extends BatchException {
  private static final long serialVersionUID = 1L;
  private final LocalDate day;

  public NoRecordsException(LocalDate day, String message) {
    super(message, false);
    this.day = day;
  }

  /** The day without records. */
  public LocalDate day() {
    return day;
  }
}
