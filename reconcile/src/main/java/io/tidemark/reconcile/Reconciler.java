package io.tidemark.reconcile;

import io.tidemark.core.metric.LatenessHorizon;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.job.StepTimer;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.drift.DriftReport.Outcome;
import io.tidemark.reconcile.drift.MetricDrift;
import io.tidemark.reconcile.lock.DayLock;
import io.tidemark.reconcile.lock.DayLocks;
import io.tidemark.reconcile.store.BatchCounts;
import io.tidemark.reconcile.store.ClickHouseCounts;
import io.tidemark.reconcile.store.DayStatus;
import io.tidemark.reconcile.store.IcebergAudit;
import io.tidemark.reconcile.store.ReconcileCells;
import io.tidemark.reconcile.store.ReportStore;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Reconciles one UTC day: compares the batch layer's counts (Iceberg) with what ClickHouse serves,
 * stores a drift report (ClickHouse and Iceberg) and, unless it is a dry run, replaces the day in
 * both count tables when needed.
 *
 * <h2>When the day is replaced</h2>
 * The first reconcile of a day always replaces it, so that its rows carry batch versions ({@link
 * io.tidemark.schema.clickhouse.CountVersions}) and no later speed-layer write can win over them;
 * after that, only when the absolute drift of either metric exceeds {@link
 * ReconcileOptions#DRIFT_THRESHOLD}. A day still inside the speed layer's lateness horizon (plus
 * {@link ReconcileOptions#SETTLE_TIME}) is refused unless forced.
 *
 * <h2>Replacement protocol and failures</h2>
 * Stage both metrics (clear the staging day, insert the batch rows with this run's batch version,
 * check rows and sum), then {@code REPLACE PARTITION} of each store, then mark the day reconciled
 * in {@code day_status}, then clear staging, then store the report. Each {@code REPLACE PARTITION}
 * is atomic; a crash before the first leaves ClickHouse untouched, a crash between the two leaves
 * one table replaced and the day still marked speed-only. Every step is idempotent, so rerunning
 * completes the day: the replaced table then shows zero drift, the other is replaced. A run that
 * holds the day's lock first removes what a killed run left (its {@code reconcile_cells} partition,
 * a filled staging day), so a rerun after a kill at any step leaves nothing behind.
 *
 * <p>Idempotent: a second run on unchanged data finds zero drift and writes nothing to the count
 * tables or the day status (it stores its report, the audit trail of the check).
 *
 * <h2>One run per day</h2>
 * Every run that may change a day (not {@code --dry-run}) holds the day's lock ({@link DayLocks},
 * in ClickHouse) from its batch run to its report, and checks it still holds it before each
 * replacement step; a second run of the same day fails naming the holder, or waits ({@link
 * ReconcileOptions#LOCK_WAIT}).
 *
 * <p>A speed-layer write racing a replacement either lands before it (and is replaced) or after
 * it: on a key the batch wrote, its speed version loses to the batch version; on a new key it
 * becomes visible and shows as drift in the next reconcile, whose batch run sees the event in the
 * lake.
 */
public final class Reconciler {
  /**
   * The step boundaries of a run, in order: {@code loaded} (both metrics' cells in {@code
   * reconcile_cells}), {@code compared} (drift known, nothing changed yet), {@code staged} (both
   * staging days filled and checked), {@code replaced:<table>} after each {@code REPLACE PARTITION},
   * {@code marked} (day_status says reconciled, staging not cleared yet). Production passes no
   * checkpoint; the crash tests pause a child process at one and kill it there.
   */
  public interface Checkpoint {
    void reached(String step);
  }

  private final SparkSession spark;
  private final BatchJob batch;
  private final ClickHouseCounts counts;
  private final ReconcileCells cells;
  private final ReportStore reports;
  private final IcebergAudit audit;
  private final LatenessHorizon horizon;
  private final Duration settleTime;
  private final long threshold;
  private final int top;
  private final Clock clock;
  private Checkpoint checkpoint = step -> {};
  private StepTimer steps = new StepTimer();
  private DayLocks locks;

  public Reconciler(SparkSession spark, BatchJob batch, ClickHouseSql sql, LatenessHorizon horizon,
      Duration settleTime, long threshold, int top, Clock clock) {
    this.spark = spark;
    this.batch = batch;
    this.counts = new ClickHouseCounts(sql);
    this.cells = new ReconcileCells(sql);
    this.reports = new ReportStore(sql);
    this.audit = new IcebergAudit(spark, batch.tables());
    this.horizon = horizon;
    this.settleTime = settleTime;
    this.threshold = threshold;
    this.top = top;
    this.clock = clock;
    this.locks = new DayLocks(sql, ReconcileOptions.LOCK_TTL.defaultValue(), Duration.ZERO,
        DayLocks.processOwner("reconcile"));
  }

  /** The reconciler as configured. */
  public static Reconciler create(SparkSession spark, ClickHouseSql sql, TidemarkConfig cfg) {
    return new Reconciler(spark, BatchJob.create(spark, cfg), sql, LatenessHorizon.of(cfg),
        cfg.get(ReconcileOptions.SETTLE_TIME), cfg.get(ReconcileOptions.DRIFT_THRESHOLD),
        cfg.get(ReconcileOptions.TOP_DIFFERENCES), Clock.systemUTC())
        .locks(locks(sql, cfg));
  }

  /** The per-day locks as configured, owned by this process. */
  public static DayLocks locks(ClickHouseSql sql, TidemarkConfig cfg) {
    return new DayLocks(sql, cfg.get(ReconcileOptions.LOCK_TTL), cfg.get(ReconcileOptions.LOCK_WAIT),
        DayLocks.processOwner("reconcile"));
  }

  /** The per-day locks this reconciler takes (default: the default TTL, no waiting). */
  public Reconciler locks(DayLocks l) {
    this.locks = l;
    return this;
  }

  public DayLocks locks() {
    return locks;
  }

  public Reconciler checkpoint(Checkpoint c) {
    this.checkpoint = c;
    return this;
  }

  public SparkSession spark() {
    return spark;
  }

  public BatchJob batch() {
    return batch;
  }

  public ReportStore reports() {
    return reports;
  }

  public int top() {
    return top;
  }

  /**
   * Refuses a day whose counts may still change in the speed layer.
   *
   * @throws ReconcileException "Day ... is still inside the speed layer's lateness horizon ..."
   */
  public void checkSettled(LocalDate day, boolean force) {
    Instant settled = settledAt(day);
    if (!force && clock.instant().isBefore(settled)) {
      throw new ReconcileException("Day " + day + " is still inside the speed layer's lateness horizon until "
          + settled + ": refusing to reconcile it (use --force to reconcile anyway)", false);
    }
  }

  /** When {@code day} may be reconciled without forcing: horizon plus settle time. */
  public Instant settledAt(LocalDate day) {
    return horizon.settledAt(day).plus(settleTime);
  }

  /** Whether {@code day} is past {@link #settledAt}. */
  public boolean isSettled(LocalDate day) {
    return !clock.instant().isBefore(settledAt(day));
  }

  /**
   * Reconciles {@code day} against its latest batch result, running the batch job first when there
   * is none (or an incomplete one).
   */
  public DriftReport reconcile(LocalDate day, boolean dryRun, boolean force) {
    checkSettled(day, force);
    if (dryRun) {
      return reconcile(batchResult(day), true, force, null);
    }
    try (DayLock lock = locks.acquire(day)) {
      return reconcile(day, force, lock);
    }
  }

  /**
   * Reconciles {@code day} (not a dry run) under a lock the caller took, e.g. before starting
   * Spark so that a second run fails without waiting for Spark.
   */
  public DriftReport reconcile(LocalDate day, boolean force, DayLock lock) {
    checkSettled(day, force);
    return reconcile(batchResult(day), false, force, lock);
  }

  private BatchCounts batchResult(LocalDate day) {
    steps = new StepTimer();
    BatchCounts b = steps.time("read batch counts", () -> BatchCounts.read(spark, batch.tables(), day));
    if (b == null) {
      batch.run(day);
      b = BatchCounts.read(spark, batch.tables(), day);
      if (b == null) {
        throw new ReconcileException("No complete batch result for " + day + " in " + batch.tables().runs()
            + " after running the batch job", true);
      }
    }
    return b;
  }

  /**
   * Reconciles a day against the given batch result (already checked to be settled), taking the
   * day's lock unless it is a dry run.
   */
  public DriftReport reconcile(BatchCounts b, boolean dryRun, boolean force) {
    if (dryRun) {
      return reconcile(b, true, force, null);
    }
    try (DayLock lock = locks.acquire(b.day())) {
      return reconcile(b, false, force, lock);
    }
  }

  /** With the day's lock held by the caller ({@code lock} may be null only for a dry run). */
  DriftReport reconcile(BatchCounts b, boolean dryRun, boolean force, DayLock lock) {
    if (!dryRun && (lock == null || !lock.day().equals(b.day()))) {
      throw new IllegalStateException("Reconciling " + b.day() + " needs its lock");
    }
    Instant started = clock.instant();
    LocalDate day = b.day();
    String runId = runId(day, started, dryRun);
    Map<CountMetric, MetricDrift> drifts = new EnumMap<>(CountMetric.class);
    long maxDrift = 0;
    Outcome outcome;
    steps.run("drop abandoned cells", cells::dropAbandoned);
    if (!dryRun) {
      // Under the day's lock every other non-dry run of the day is dead (or lost its lease): what a
      // killed run left (its cells, a filled staging day) goes now, not a day later.
      steps.run("drop leftovers", () -> {
        cells.dropOtherRuns(day, runId);
        for (CountMetric m : CountMetric.values()) {
          counts.clearStaging(m, day);
        }
      });
    }
    try {
      for (CountMetric m : CountMetric.values()) {
        steps.run("load cells " + m.servingTable(),
            () -> cells.load(runId, m, b.cells(spark, batch.tables(), m), b.totals().get(m)));
      }
      checkpoint.reached("loaded");
      for (CountMetric m : CountMetric.values()) {
        MetricDrift d = steps.time("compare " + m.servingTable(), () -> cells.compare(runId, m, day, b.totals().get(m)));
        drifts.put(m, d);
        maxDrift = Math.max(maxDrift, d.absDrift());
      }
      checkpoint.reached("compared");
      DayStatus status = steps.time("day status", () -> reports.status(day));
      boolean drifted = maxDrift > threshold;
      if (dryRun) {
        outcome = Outcome.DRY_RUN;
      } else if (status.reconciled() && maxDrift == 0) {
        outcome = Outcome.NO_DRIFT;
      } else if (status.reconciled() && !drifted) {
        outcome = Outcome.WITHIN_THRESHOLD;
      } else {
        replace(b, started, runId, lock);
        outcome = Outcome.REPLACED;
      }
    } finally {
      steps.run("drop cells", () -> cells.drop(runId, day));
    }
    DriftReport report = new DriftReport(runId, day, started, clock.instant(), outcome, dryRun, force,
        maxDrift > threshold, b.lakeSnapshotId(), b.runId(), drifts, b.invalidByReason());
    steps.run("report clickhouse", () -> reports.write(report, top));
    try {
      long t = System.nanoTime();
      audit.write(report, top);
      steps.add("report iceberg", (System.nanoTime() - t) / 1e9);
    } catch (Exception e) {
      throw new ReconcileException("Reconciled " + day + " (run " + runId + ", " + outcome.code()
          + ") but could not append its report to " + audit.reportsTable() + ": " + e.getMessage(), true, e);
    }
    Map<String, Double> timings = steps.seconds();
    steps = new StepTimer();
    return report.withSteps(timings);
  }

  /**
   * {@code reconcile-<day>-<start epoch ms>}, with {@code -dry} for a dry run: a dry run takes no
   * lock, so the next locked run of the day must be able to tell its cells from a dead run's.
   */
  static String runId(LocalDate day, Instant started, boolean dryRun) {
    return "reconcile-" + day + "-" + started.toEpochMilli() + (dryRun ? "-dry" : "");
  }

  private void replace(BatchCounts b, Instant started, String runId, DayLock lock) {
    LocalDate day = b.day();
    long version = ClickHouseCounts.batchVersion(started);
    for (CountMetric m : CountMetric.values()) {
      steps.run("stage " + m.servingTable(), () -> cells.stage(runId, m, day, version, started, b.totals().get(m)));
    }
    checkpoint.reached("staged");
    for (CountMetric m : CountMetric.values()) {
      lock.ensureHeld();
      steps.run("replace partition", () -> counts.replace(m, day));
      checkpoint.reached("replaced:" + m.servingTable());
    }
    lock.ensureHeld();
    steps.run("mark reconciled", () -> reports.markReconciled(day, clock.instant(), b.lakeSnapshotId(), runId));
    checkpoint.reached("marked");
    for (CountMetric m : CountMetric.values()) {
      steps.run("clear staging", () -> counts.clearStaging(m, day));
    }
  }
}
