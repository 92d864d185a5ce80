package io.tidemark.schema.clickhouse;

/**
 * The {@code version} column of the count tables, which decides which write of a window wins.
 *
 * <p>The store tables are {@code ReplacingMergeTree(version)} read through {@code FINAL}: for each
 * (key, window_start) the row with the highest version is the one readers see, before and after
 * background merges. Writers must therefore pick versions by these rules:
 *
 * <ul>
 *   <li><b>Speed layer</b>: versions in {@code [0, 2^62)}, increasing with each re-emission of a
 *       window (an emission sequence, or the emission time in epoch milliseconds), so a later,
 *       more complete early result replaces an earlier one. Two writes of the same key with equal
 *       versions leave it to ClickHouse which one is kept: never do that.
 *   <li><b>Batch / reconciliation</b>: versions in {@code [2^62, 2^63)}, i.e. {@code 2^62 +} a
 *       run sequence that grows with every reconcile run (for example the run's epoch
 *       milliseconds). Any batch version is above every speed version, so once a day is
 *       reconciled no later speed-layer write to an existing key of that day can win over it, and
 *       a later reconcile run still wins over an earlier one.
 * </ul>
 *
 * <p>Versions stay below {@code 2^63} so that they fit a Java {@code long}; the column is
 * {@code UInt64}.
 */
public final class CountVersions {
  /** The lowest version of a batch (reconciled) write: {@code 2^62}. */
  public static final long BATCH_BASE = 1L << 62;
  /** The highest version a speed-layer write may use: {@code 2^62 - 1}. */
  public static final long SPEED_MAX = BATCH_BASE - 1;

  private CountVersions() {}

  /**
   * The version of a speed-layer write.
   *
   * @param emission non-negative and increasing per window, below {@code 2^62}
   * @throws IllegalArgumentException when out of the speed range
   */
  public static long speed(long emission) {
    if (emission < 0 || emission > SPEED_MAX) {
      throw new IllegalArgumentException(
          "Speed-layer version " + emission + " is outside [0, " + SPEED_MAX + "]");
    }
    return emission;
  }

  /**
   * The version of a reconciled (batch) write.
   *
   * @param runSequence non-negative and increasing per reconcile run, below {@code 2^62}
   * @throws IllegalArgumentException when negative or so large the version would overflow
   */
  public static long batch(long runSequence) {
    if (runSequence < 0 || runSequence > SPEED_MAX) {
      throw new IllegalArgumentException(
          "Batch run sequence " + runSequence + " is outside [0, " + SPEED_MAX + "]");
    }
    return BATCH_BASE + runSequence;
  }

  /** Whether a stored version was written by reconciliation rather than the speed layer. */
  public static boolean isBatch(long version) {
    return version >= BATCH_BASE;
  }
}
