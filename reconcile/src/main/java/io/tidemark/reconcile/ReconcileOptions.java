package io.tidemark.reconcile;

import io.tidemark.core.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/** Options of reconciliation ({@code tidemark.reconcile.*}). */
public final class ReconcileOptions {
  private ReconcileOptions() {}

  public static final ConfigOption<Long> DRIFT_THRESHOLD =
      ConfigOption.longKey("tidemark.reconcile.drift-threshold")
          .defaultValue(0L)
          .description("A reconciled day is replaced again only when its absolute drift (events, either metric) exceeds this; 0 means any difference.");

  public static final ConfigOption<Duration> SETTLE_TIME =
      ConfigOption.durationKey("tidemark.reconcile.settle-time")
          .defaultValue(Duration.ofMinutes(10))
          .description("Extra wait after the speed layer's lateness horizon before a day may be reconciled without --force (lets the lake archive commit the last events).");

  public static final ConfigOption<Integer> TOP_DIFFERENCES =
      ConfigOption.intKey("tidemark.reconcile.top-differences")
          .defaultValue(10)
          .description("How many of the largest per-key differences a report prints per metric (all are stored).");

  public static final ConfigOption<Duration> LOCK_TTL =
      ConfigOption.durationKey("tidemark.reconcile.lock-ttl")
          .defaultValue(Duration.ofMinutes(2))
          .description("Lease of the per-day reconcile lock in ClickHouse, renewed every third of it while a run holds the day; a killed run's lock is taken over this long after its last renewal, at once by a run on the same host once the killed process is gone (at least 3s).");

  public static final ConfigOption<Duration> LOCK_WAIT =
      ConfigOption.durationKey("tidemark.reconcile.lock-wait")
          .defaultValue(Duration.ZERO)
          .description("How long reconcile and backfill wait for a day another run is reconciling; 0s fails at once with a message naming the holder.");

  public static List<ConfigOption<?>> all() {
    return List.of(DRIFT_THRESHOLD, SETTLE_TIME, TOP_DIFFERENCES, LOCK_TTL, LOCK_WAIT);
  }
}
