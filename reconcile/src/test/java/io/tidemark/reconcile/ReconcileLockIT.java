package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.batch.BatchOptions;
import io.tidemark.core.metric.LatenessHorizon;
import io.tidemark.batch.job.BatchJob;
import io.tidemark.batch.testing.LakeRows;
import io.tidemark.batch.testing.SparkForTests;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.reconcile.drift.DriftReport;
import io.tidemark.reconcile.lock.DayLock;
import io.tidemark.reconcile.lock.DayLocks;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The per-day reconcile lock on a real ClickHouse 18.16: simultaneous claims, two reconciles of the
 * same day at the same time, waiting, and takeover of an expired lease. (A holder killed with
 * SIGKILL and taken over after expiry: {@link ReconcileCommandIT}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileLockIT {
  static final LocalDate DAY = LocalDate.parse("2026-11-18");

  TidemarkConfig cfg;
  ClickHouseSql sql;
  LakeRows lake;

  @BeforeAll
  void setUp() throws Exception {
    Map<String, String> v = new HashMap<>(SparkForTests.config().explicitValues());
    v.put(BatchOptions.EVENTS_TABLE.key(), "lock_it_events");
    v.put(BatchOptions.TABLE_SUFFIX.key(), "_batch_lit");
    v.put(ClickHouseOptions.DATABASE.key(), "reconcile_lock_it");
    cfg = TidemarkConfig.of(v);
    sql = ClickHouseClients.connect(cfg);
    new SchemaMigrator(sql).migrate();
    String events = BatchJob.create(SparkForTests.spark(), cfg).tables().events();
    LakeRows.createEventsTable(SparkForTests.spark(), events);
    lake = new LakeRows().addKafka(GeneratorSpec.builder().startTime(Instant.parse("2026-11-18T10:00:00Z"))
        .duration(Duration.ofMinutes(5)).rate(5).users(20).pages(5).seed(5).duplicateFraction(0.05).build());
    lake.appendTo(SparkForTests.spark(), events);
  }

  @AfterAll
  void close() {
    sql.close();
  }

  DayLocks locks(String owner, Duration ttl, Duration wait) {
    return new DayLocks(sql, ttl, wait, owner);
  }

  Reconciler reconciler(String owner) {
    Clock later = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-12-01T00:00:00Z")));
    return new Reconciler(SparkForTests.spark(), BatchJob.create(SparkForTests.spark(), cfg), sql,
        LatenessHorizon.of(cfg), Duration.ofMinutes(10), 0, 10, later)
        .locks(locks(owner, Duration.ofSeconds(30), Duration.ZERO));
  }

  @Test
  void exactlyOneOfSimultaneousClaimsHoldsTheDay() throws Exception {
    LocalDate day = LocalDate.parse("2026-10-01");
    int n = 4;
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<Object>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      DayLocks l = locks("claimant-" + i, Duration.ofSeconds(30), Duration.ZERO);
      results.add(pool.submit(() -> {
        start.await();
        try {
          return l.acquire(day);
        } catch (ReconcileException e) {
          return e;
        }
      }));
    }
    List<DayLock> held = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Future<Object> f : results) {
      Object r = f.get(2, TimeUnit.MINUTES);
      if (r instanceof DayLock d) {
        held.add(d);
      } else {
        refused.add(((ReconcileException) r).getMessage());
      }
    }
    pool.shutdown();
    System.out.println("simultaneous claims: " + held.size() + " held, refused: " + refused);
    assertThat(held).hasSize(1);
    assertThat(refused).hasSize(n - 1).allSatisfy(m -> assertThat(m)
        .matches("Day 2026-10-01 is being reconciled by claimant-\\d \\(since .*, lease until .*\\): not replacing"
            + " it concurrently \\(retry later, or set tidemark.reconcile.lock-wait to wait\\)"));
    assertThat(locks("x", Duration.ofSeconds(30), Duration.ZERO).live(day)).hasSize(1);
    held.get(0).close();
    assertThat(locks("x", Duration.ofSeconds(30), Duration.ZERO).live(day)).isEmpty();
    try (DayLock again = locks("later", Duration.ofSeconds(30), Duration.ZERO).acquire(day)) {
      again.ensureHeld();
    }
  }

  @Test
  void aSecondReconcileOfTheSameDayFailsNamingTheHolderAndOnlyTheFirstReplaces() throws Exception {
    CountDownLatch staged = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Reconciler first = reconciler("first reconcile").checkpoint(step -> {
      if (step.equals("staged")) {
        staged.countDown();
        try {
          proceed.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    CompletableFuture<DriftReport> running = CompletableFuture.supplyAsync(() -> first.reconcile(DAY, false, false));
    assertThat(staged.await(5, TimeUnit.MINUTES)).isTrue();

    Reconciler second = reconciler("second reconcile");
    assertThatThrownBy(() -> second.reconcile(DAY, false, false))
        .isInstanceOf(ReconcileException.class)
        .hasMessageStartingWith("Day 2026-11-18 is being reconciled by first reconcile (since ")
        .hasMessageEndingWith("): not replacing it concurrently (retry later, or set tidemark.reconcile.lock-wait to wait)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    // A dry run changes nothing and takes no lock.
    assertThat(second.reconcile(DAY, true, false).outcome()).isEqualTo(DriftReport.Outcome.DRY_RUN);

    proceed.countDown();
    assertThat(running.get(5, TimeUnit.MINUTES).outcome()).isEqualTo(DriftReport.Outcome.REPLACED);
    assertThat(second.reconcile(DAY, false, false).outcome()).isEqualTo(DriftReport.Outcome.NO_DRIFT);
    assertThat(sql.queryLong("SELECT count() AS n FROM reconcile_lock_it.drift_reports WHERE day = {d:Date}"
        + " AND outcome = 'replaced'", Map.of("d", DAY))).isEqualTo(1);
    Map<io.tidemark.core.metric.WindowKey, Long> truth = LakeRows.ofDay(lake.truth.counts(CountMetric.USER), DAY, k -> k);
    assertThat(sql.queryLong("SELECT sum(count) AS n FROM reconcile_lock_it.user_page_counts", Map.of()))
        .isEqualTo(truth.values().stream().mapToLong(Long::longValue).sum());
    assertThat(locks("x", Duration.ofSeconds(30), Duration.ZERO).live(DAY)).isEmpty();
  }

  @Test
  void aWaitingClaimTakesTheDayWhenTheHolderReleasesIt() throws Exception {
    LocalDate day = LocalDate.parse("2026-10-02");
    DayLock holder = locks("holder", Duration.ofSeconds(30), Duration.ZERO).acquire(day);
    CompletableFuture<DayLock> waiter = CompletableFuture.supplyAsync(
        () -> locks("waiter", Duration.ofSeconds(30), Duration.ofMinutes(2)).acquire(day));
    Thread.sleep(3_000);
    assertThat(waiter).isNotDone();
    holder.close();
    try (DayLock w = waiter.get(1, TimeUnit.MINUTES)) {
      assertThat(locks("x", Duration.ofSeconds(30), Duration.ZERO).live(day))
          .singleElement().satisfies(c -> assertThat(c.owner()).isEqualTo("waiter"));
    }
  }

  @Test
  void anExpiredLeaseIsTakenOverAndItsHolderStops() throws Exception {
    LocalDate day = LocalDate.parse("2026-10-03");
    // A lease of 3 s whose holder can no longer renew (its renewer stopped, as in a paused or dead
    // process): taken over once expired, and the old holder's ensureHeld() fails.
    DayLocks shortLease = locks("stalled holder", Duration.ofSeconds(3), Duration.ZERO);
    DayLock stalled = shortLease.acquire(day);
    java.lang.reflect.Field f = DayLock.class.getDeclaredField("renewer");
    f.setAccessible(true);
    ((ExecutorService) f.get(stalled)).shutdownNow();
    assertThatThrownBy(() -> locks("next", Duration.ofSeconds(30), Duration.ZERO).acquire(day))
        .hasMessageStartingWith("Day 2026-10-03 is being reconciled by stalled holder (since ");
    try (DayLock next = locks("next", Duration.ofSeconds(30), Duration.ofSeconds(30)).acquire(day)) {
      assertThatThrownBy(stalled::ensureHeld).isInstanceOf(ReconcileException.class)
          .hasMessage("Lost the reconcile lock of 2026-10-03 (lease of 3 s expired): stopped before changing the day"
              + " further; rerun to complete it");
      next.ensureHeld();
    }
  }

  @Test
  void aHolderOfThisHostWhosePidIsGoneIsTakenOverAtOnceOthersAreWaitedOut() throws Exception {
    LocalDate day = LocalDate.parse("2026-10-04");
    String host = DayLocks.processOwner("x").replaceAll("^x on (.+), pid \\d+$", "$1");
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    DayLocks taker = locks(DayLocks.processOwner("reconcile"), Duration.ofSeconds(30), Duration.ZERO);

    // alive on this host (this JVM under another name), and a dead pid on another host: leases decide
    for (String owner : List.of(DayLocks.processOwner("backfill"), "reconcile on other-" + host + ", pid " + gone.pid())) {
      try (DayLock held = locks(owner, Duration.ofSeconds(30), Duration.ZERO).acquire(day)) {
        assertThatThrownBy(() -> taker.acquire(day)).hasMessageStartingWith("Day 2026-10-04 is being reconciled by " + owner);
      }
    }
    // dead on this host: taken over without waiting for the 30 s lease
    DayLock dead = locks("reconcile on " + host + ", pid " + gone.pid(), Duration.ofSeconds(30), Duration.ZERO).acquire(day);
    long t0 = System.nanoTime();
    try (DayLock mine = taker.acquire(day)) {
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(taker.live(day)).singleElement().satisfies(c -> assertThat(c.token()).isEqualTo(mine.token()));
      assertThatThrownBy(dead::ensureHeld).hasMessageStartingWith("Lost the reconcile lock of 2026-10-04");
    } finally {
      dead.close();
    }
  }
}
