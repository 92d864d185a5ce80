package io.tidemark.speed.count;

import io.tidemark.schema.clickhouse.CountVersions;

/**
 * The version the speed layer gives each row it writes to a ReplacingMergeTree store table, where
 * the highest version of a (key, window_start) wins.
 *
 * <p>{@code version = generation << 27 | count}. Within one incarnation of the job (one {@code
 * generation}) a cell's count only grows, so a newer row always has a higher version and a
 * re-sent row (an insert retried after an unknown outcome) has the same one: writes are idempotent.
 * After a crash the job restores its state from the last checkpoint and replays the records read
 * since; the count itself would not be a safe version then, because a row written before the crash
 * could hold a count that the restored job never reaches again (an event classified differently
 * on replay, e.g. late against a different watermark). The generation is therefore the
 * incarnation's start time in units of 100 ms since 2020-01-01, and at least one more than the
 * generation stored in the checkpoint it restored from (clock skew between machines cannot make it
 * go back): every row written after a restore beats every row written before it, and the restored
 * job re-writes each changed window as it replays. A window being replayed may briefly show its
 * checkpointed value before it climbs back; it never ends higher or lower than the replay's count.
 *
 * <p>Limits: generations fit 35 bits (until year 2128), counts 27 bits (134M events per key per
 * minute; larger counts saturate the version, not the count). Every version is built through
 * {@link CountVersions#speed}, the one definition of the speed range below the floor of reconciled
 * batch writes, so a late speed write never beats a reconciled day.
 */
public final class Versions {
  private Versions() {}

  static final int COUNT_BITS = 27;
  static final long MAX_COUNT_IN_VERSION = (1L << COUNT_BITS) - 1;
  static final long MAX_GENERATION = (1L << 35) - 1;
  /** 2020-01-01T00:00:00Z in epoch ms. */
  static final long GENERATION_EPOCH_MS = 1_577_836_800_000L;

  /** The generation of an incarnation started at {@code nowMs} after one that had {@code restored} (or -1). */
  public static long generation(long nowMs, long restored) {
    long fromClock = Math.max(0, (nowMs - GENERATION_EPOCH_MS) / 100);
    long g = Math.max(fromClock, restored + 1);
    if (g > MAX_GENERATION) {
      throw new IllegalStateException("Version generation overflow: " + g);
    }
    return g;
  }

  /** The version of a count written by the incarnation {@code generation}. */
  public static long version(long generation, long count) {
    return CountVersions.speed((generation << COUNT_BITS) | Math.min(count, MAX_COUNT_IN_VERSION));
  }
}
