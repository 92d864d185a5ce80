package io.tidemark.reconcile.drift;

/**
 * Why the speed layer's count of a cell differs from the batch count, as far as the lake can tell.
 * The codes are stored in reports: never rename, only add.
 */
public enum Cause {
  /** Events that reached Kafka after the speed layer's lateness horizon (the batch counts them). */
  TOO_LATE("too-late"),
  /** Events that never went through Kafka: history imported into the lake. */
  NOT_STREAMED("not-streamed"),
  /** Streamed, on-time events the speed layer did not count (an outage, a lost write, a replay gap). */
  MISSING_FROM_SPEED("missing-from-speed"),
  /** The speed layer counted more than the lake holds (duplicates counted twice, events not in the lake). */
  OVER_COUNTED("over-counted");

  private final String code;

  Cause(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
