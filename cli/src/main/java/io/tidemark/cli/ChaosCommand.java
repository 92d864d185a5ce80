package io.tidemark.cli;

import io.tidemark.cli.chaos.ChaosChecks;
import io.tidemark.cli.chaos.ChaosChecks.DriftFigures;
import io.tidemark.cli.chaos.ChaosChecks.ServingProbe;
import io.tidemark.cli.chaos.ChaosReport;
import io.tidemark.cli.chaos.ChaosTraffic;
import io.tidemark.cli.chaos.CheckResult;
import io.tidemark.cli.chaos.Fault;
import io.tidemark.cli.chaos.FaultKind;
import io.tidemark.cli.chaos.FaultOutcome;
import io.tidemark.cli.chaos.FaultSchedule;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.stack.Service;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tidemark chaos}: the whole pipeline on a private stack under generator traffic while a
 * seeded fault schedule strikes, then batch + reconcile of the day, with the ground truth as the
 * oracle (docs/reliability.md).
 *
 * <p>Why a command and not only a test: the same run a CI job does briefly is the one an operator
 * runs for ten minutes on their own machine before trusting a release, and its figures (recovery
 * per fault kind, every check exact or the keys that differ) are the project's reliability claim.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fault-injection run of the whole pipeline on a private stack, checked against the ground truth.",
        "",
        "Starts its own stack (own home under .tidemark/chaos-<time>, free ports), the speed layer, the lake",
        "archive and the dashboard; streams generator traffic while a seeded schedule kills -9 the speed layer,",
        "the Connect worker and the Kafka broker, stops ClickHouse and kills it mid-insert, takes the object",
        "store and the catalog away briefly (each restarted the plain way); then batch + reconcile of the day,",
        "with a reconcile killed between stage and replace and rerun. Prints faults, recovery times and five",
        "checks (each exact or failed with the differing keys) and writes them to docs/reliability.md.",
        "Exit 0: every check exact (the private stack is removed); 1: a check failed (logs and data kept,",
        "named in the last line); 2: bad arguments."})
final class ChaosCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--duration", defaultValue = "10m", converter = DurationConverter.class,
      description = "How long traffic streams while faults strike, at least 1m (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--seed", description = "Seed of the fault schedule and the traffic (default: a new one, printed).")
  Long seed;

  @Option(names = "--faults", paramLabel = "LIST", defaultValue = "all",
      description = {"Fault kinds, comma-separated (default: all): speed-kill, connect-kill, kafka-kill,",
          "clickhouse-stop, clickhouse-kill, s3-outage, catalog-lock, reconcile-kill."})
  String faults;

  @Option(names = "--rate", defaultValue = "200", description = "Traffic, records/s (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--json", description = "Print a machine-readable summary instead of text and progress.")
  boolean json;

  @Option(names = "--keep", description = "Keep the private stack running and its data also when every check is exact.")
  boolean keep;

  @Option(names = "--doc", paramLabel = "FILE",
      description = "Markdown file whose generated section gets the figures (default: docs/reliability.md; 'none' to skip).")
  String doc;

  /** How long the pipeline may take to move again after a fault before it counts as not recovered. */
  static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(180);

  private PrintWriter out;
  private final List<ServingProbe> probes = Collections.synchronizedList(new ArrayList<>());
  private volatile String status = "starting";

  @Override
  public Integer call() throws Exception {
    Set<FaultKind> kinds = FaultKind.parseList(faults);
    if (duration.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("--duration " + ChaosReportFmt.fmt(duration) + " is too short: give at least 1m");
    }
    if (rate < 10 || rate > 20_000) {
      throw new IllegalArgumentException("--rate " + rate + " is out of range: give 10 to 20000 records/s");
    }
    long runSeed = ProduceCommand.seedOrNew(seed);
    out = spec.commandLine().getOut();
    Path root = StackOptions.projectRoot(System.getenv(), Path.of(""));
    Path docFile = doc == null ? root.resolve("docs/reliability.md") : "none".equals(doc) ? null : Path.of(doc);
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    Path home = root.resolve(".tidemark").resolve("chaos-" + stamp);
    List<Fault> schedule = FaultSchedule.plan(runSeed, duration, kinds);
    say("Chaos run: seed %d, %s of traffic at %d records/s, %d faults (%s); private stack %s", runSeed,
        ChaosReportFmt.fmt(duration), rate, schedule.size(), kinds.stream().map(FaultKind::code).toList(), home);

    long t0 = System.nanoTime();
    ChaosStack stack = ChaosStack.create(home, global.load().explicitValues());
    Thread hook = new Thread(stack::down, "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    ChaosReport report;
    try {
      report = run(stack, schedule, runSeed, t0);
    } catch (Exception e) {
      stack.down();
      Runtime.getRuntime().removeShutdownHook(hook);
      PrintWriter last = json ? spec.commandLine().getErr() : out;
      last.printf("Chaos run aborted: %s%nLogs and data kept for inspection: %s%n", e.getMessage(), home);
      last.flush();
      return 1;
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>(report.json());
      m.put("home", home.toString());
      m.put("kept", keep || !report.allExact());
      Output.json(out, m);
    } else {
      out.println();
      out.print(report.text());
    }
    if (docFile != null) {
      report.writeSection(docFile, DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(Instant.now()));
      say("Wrote the figures to %s", docFile);
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    if (keep) {
      stack.close();
      say("Kept the private stack running and its data: %s (stop it: ./tidemark stack down -D tidemark.stack.home=%s)", home, home);
    } else if (report.allExact()) {
      stack.down();
      deleteTree(home);
      say("Every check exact; the private stack was removed.");
    } else {
      stack.down();
    }
    if (!report.allExact()) {
      // In --json mode stdout holds only the document; the last line goes to stderr there.
      PrintWriter last = json ? spec.commandLine().getErr() : out;
      last.printf("Some checks failed. Logs and data kept for inspection: %s%n", home);
      last.flush();
    }
    out.flush();
    return report.allExact() ? 0 : 1;
  }

  private ChaosReport run(ChaosStack stack, List<Fault> schedule, long runSeed, long t0) throws Exception {
    say("== 1/5 Private stack up, schema migrated");
    stack.up((service, message) -> {
      if (!json) {
        out.println("  " + (service == null ? "stack" : service.name().toLowerCase(java.util.Locale.ROOT)) + ": " + message);
        out.flush();
      }
    });
    say("== 2/5 Speed layer, lake archive and dashboard (logs: %s)", stack.logs);
    stack.startSpeed();
    stack.startLake();
    stack.startServing();
    if (!ChaosStack.await(Duration.ofSeconds(240), Duration.ofSeconds(1), stack::speedRunning)) {
      throw new UserFacingException("The speed layer did not reach RUNNING within 240 s: see " + stack.logs.resolve("speed.log"));
    }
    if (!ChaosStack.await(Duration.ofSeconds(120), Duration.ofSeconds(1), stack::servingUp)) {
      throw new UserFacingException("The dashboard did not answer within 120 s: see " + stack.logs.resolve("serve.log"));
    }

    say("== 3/5 Traffic for %s (and on until the last fault recovered) with the fault schedule", ChaosReportFmt.fmt(duration));
    ChaosTraffic traffic = new ChaosTraffic(stack.config, rate, runSeed);
    long trafficStart = System.nanoTime();
    Thread producer = new Thread(traffic, "chaos-traffic");
    producer.setDaemon(true);
    producer.start();
    List<FaultOutcome> outcomes = new ArrayList<>();
    long planned = duration.toSeconds();
    try (ProgressBar bar = json ? null : new ProgressBarBuilder().setTaskName("chaos").setInitialMax(planned)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setUnit("s", 1).build()) {
      Thread ticker = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted() && bar != null) {
          long s = (System.nanoTime() - trafficStart) / 1_000_000_000L;
          if (s > bar.getMax()) {
            bar.maxHint(s);
          }
          bar.stepTo(s);
          bar.setExtraMessage(status);
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "chaos-progress");
      ticker.setDaemon(true);
      ticker.start();
      for (Fault f : schedule) {
        if (!f.kind().duringStream()) {
          continue;
        }
        long wait = trafficStart + f.at().toNanos() - System.nanoTime();
        if (wait > 0) {
          status = "next: #" + f.seq() + " " + f.kind().code();
          Thread.sleep(wait / 1_000_000);
        }
        if (traffic.failure() != null) {
          break;
        }
        FaultOutcome o = strike(stack, f);
        outcomes.add(o);
        status = "#" + f.seq() + " " + f.kind().code() + " recovered in " + (o.recovery() == null ? "-" : o.recovery().toSeconds() + "s");
      }
      long rest = trafficStart + duration.toNanos() - System.nanoTime();
      status = "traffic";
      if (rest > 0) {
        Thread.sleep(rest / 1_000_000);
      }
      traffic.stop();
      status = "last traffic segment";
      producer.join(ChaosTraffic.SEGMENT.toMillis() + 300_000);
      ticker.interrupt();
      if (traffic.failure() != null) {
        throw new UserFacingException("The traffic generator failed: " + traffic.failure().getMessage());
      }
    }
    traffic.write(stack.home);
    return finish(stack, schedule, outcomes, traffic.truth(), runSeed, t0);
  }

  private ChaosReport finish(ChaosStack stack, List<Fault> schedule, List<FaultOutcome> outcomes, ChaosTraffic.Truth truth,
      long runSeed, long t0) throws Exception {
    say("%n== 4/5 Catch-up: speed layer to the truth, lake archive to the topic");
    Map<CountMetric, Map<WindowKey, Long>> speedTruth = new EnumMap<>(CountMetric.class);
    Map<CountMetric, Map<WindowKey, Long>> fullTruth = new EnumMap<>(CountMetric.class);
    for (CountMetric m : CountMetric.values()) {
      speedTruth.put(m, truth.speedCounts(m));
      fullTruth.put(m, truth.counts(m));
    }
    List<CheckResult> checks = new ArrayList<>();
    String speedTitle = "speed layer: every (user, minute) and (page, minute) cell equals the truth of the events it could count";
    ChaosStack.await(Duration.ofSeconds(180), Duration.ofSeconds(5),
        () -> ChaosChecks.cells("speed-cells", speedTitle, speedTruth, stack.servedCells()).exact());
    Map<CountMetric, Map<WindowKey, Long>> speed = stack.servedCells();
    checks.add(ChaosChecks.cells("speed-cells", speedTitle, speedTruth, speed));
    say("  %s", line(checks.get(0)));

    int awaitRc = stack.runToEnd(LayerCommands.lake(), List.of("await", "--timeout", "5m"), "lake-await", Duration.ofMinutes(7));
    int verifyRc = stack.runToEnd(LayerCommands.lake(), List.of("verify", "--json"), "lake-verify", Duration.ofMinutes(5));
    CheckResult lake;
    try {
      lake = ChaosChecks.lake(new com.fasterxml.jackson.databind.ObjectMapper().readTree(stack.jsonOutput("lake-verify")),
          stack.eventEndOffsets(), truth.produced());
    } catch (IOException | RuntimeException e) {
      lake = new CheckResult("lake-exactly-once", "lake: every produced record archived exactly once (topic/partition/offset)",
          false, 0, 1, List.of("lake verify printed no report (await exit " + awaitRc + ", verify exit " + verifyRc + "): see "
              + stack.logs.resolve("lake-verify.log")));
    }
    checks.add(lake);
    say("  %s", line(lake));
    CheckResult dlq = ChaosChecks.deadLetters(stack.deadLetters(), truth.invalidByReason());

    say("== 5/5 Batch + reconcile of each day (speed layer, archive and dashboard stopped)");
    stack.close();
    Map<String, Map<CountMetric, DriftFigures>> expectedDrift = new java.util.TreeMap<>();
    Map<String, Map<CountMetric, DriftFigures>> storedDrift = new java.util.TreeMap<>();
    boolean killReconcile = schedule.stream().anyMatch(f -> f.kind() == FaultKind.RECONCILE_KILL);
    for (LocalDate day : ChaosStack.days(fullTruth.get(CountMetric.USER))) {
      status = "batch " + day;
      int rc = stack.runToEnd(LayerCommands.Delegate.spark("batch-layer", "io.tidemark.batch.BatchMain"),
          List.of("run", "--date", day.toString()), "batch-" + day, Duration.ofMinutes(20));
      say("  batch run --date %s: exit %d", day, rc);
      if (killReconcile) {
        Fault f = schedule.stream().filter(x -> x.kind() == FaultKind.RECONCILE_KILL).findFirst().orElseThrow();
        Instant struck = Instant.now();
        boolean reached = stack.reconcileKilledAtStaged(day, Duration.ofMinutes(15));
        String state = stack.dayStatus(day);
        long k0 = System.nanoTime();
        rc = stack.runToEnd(LayerCommands.reconcileTool(), List.of("reconcile", "--date", day.toString(), "--force"),
            "reconcile-" + day, Duration.ofMinutes(20));
        Duration rec = rc == 0 ? Duration.ofNanos(System.nanoTime() - k0) : null;
        outcomes.add(new FaultOutcome(f, struck, Duration.ZERO, rec, (reached ? "killed once its staging held the day" : "ended before its staging was seen")
            + ", day " + state + " after the kill; rerun exit " + rc));
        say("  reconcile --date %s killed between stage and replace (day %s), rerun: exit %d", day, state, rc);
      } else {
        rc = stack.runToEnd(LayerCommands.reconcileTool(), List.of("reconcile", "--date", day.toString(), "--force"),
            "reconcile-" + day, Duration.ofMinutes(20));
        say("  reconcile --date %s: exit %d", day, rc);
      }
      Map<CountMetric, DriftFigures> e = new EnumMap<>(CountMetric.class);
      for (CountMetric m : CountMetric.values()) {
        e.put(m, ChaosChecks.expectedDrift(onDay(truth.counts(m), day), onDay(truth.tooLateCounts(m), day), onDay(speed.get(m), day)));
      }
      expectedDrift.put(day.toString(), e);
      storedDrift.put(day.toString(), stack.driftFigures(day));
    }
    checks.add(ChaosChecks.drift(expectedDrift, storedDrift));
    checks.add(ChaosChecks.cells("reconciled-cells", "after reconcile: the seed query equals the full truth, too-late events included",
        fullTruth, stack.servedCells()));
    checks.add(dlq);
    if (schedule.stream().anyMatch(f -> f.kind().clickHouseDown())) {
      checks.add(ChaosChecks.serving(new ArrayList<>(probes)));
    }
    Map<String, Long> records = new LinkedHashMap<>();
    records.put("produced", truth.produced());
    records.put("valid distinct", truth.validDistinct());
    records.put("duplicates", truth.duplicates());
    records.put("too late", truth.tooLate());
    records.put("invalid", truth.invalid());
    outcomes.sort(Comparator.comparing(o -> o.fault().seq()));
    return new ChaosReport(runSeed, duration, Duration.ofNanos(System.nanoTime() - t0), records, outcomes, checks);
  }

  private static Map<WindowKey, Long> onDay(Map<WindowKey, Long> cells, LocalDate day) {
    Map<WindowKey, Long> out = new HashMap<>();
    cells.forEach((k, v) -> {
      if (Instant.ofEpochMilli(k.windowStart()).atZone(ZoneOffset.UTC).toLocalDate().equals(day)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Strikes one fault, restarts what it took away the plain way, and measures the recovery. */
  private FaultOutcome strike(ChaosStack stack, Fault f) throws Exception {
    Instant struck = Instant.now();
    long s0 = System.nanoTime();
    status = "#" + f.seq() + " " + f.kind().code() + " striking";
    String note;
    long speedMark = stack.speedWriteMark();
    String lakeMark = stack.lakeCommitMark();
    boolean waitSpeed = false;
    boolean waitLake = false;
    Thread prober = null;
    switch (f.kind()) {
      case SPEED_KILL -> {
        note = "pid " + stack.killSpeed() + " killed";
        stack.startSpeed();
        waitSpeed = true;
      }
      case CONNECT_KILL -> {
        note = "worker pid " + stack.killConnectWorker() + " killed";
        stack.startLake();
        waitLake = true;
      }
      case KAFKA_KILL -> {
        stack.stack.kill(Service.KAFKA);
        Thread.sleep(f.outage().toMillis());
        stack.restart(Service.KAFKA);
        note = "broker killed, down " + f.outage().toSeconds() + "s";
        waitSpeed = true;
        waitLake = true;
      }
      case CLICKHOUSE_STOP -> {
        stack.stack.kill(Service.CLICKHOUSE);
        prober = probeWhile(stack, f.outage());
        Thread.sleep(f.outage().toMillis());
        prober.interrupt();
        stack.restart(Service.CLICKHOUSE);
        note = "down " + f.outage().toSeconds() + "s";
        waitSpeed = true;
      }
      case CLICKHOUSE_KILL -> {
        boolean midInsert = stack.killClickHouseMidInsert(Duration.ofSeconds(30));
        prober = probeWhile(stack, Duration.ofSeconds(3));
        Thread.sleep(3000);
        prober.interrupt();
        stack.restart(Service.CLICKHOUSE);
        note = midInsert ? "killed while an INSERT was running" : "no INSERT seen running within 30 s; killed anyway";
        waitSpeed = true;
      }
      case S3_OUTAGE -> {
        stack.stack.kill(Service.S3);
        Thread.sleep(f.outage().toMillis());
        stack.restart(Service.S3);
        note = "s3proxy down " + f.outage().toSeconds() + "s";
        waitLake = true;
      }
      case CATALOG_LOCK -> {
        stack.lockCatalog(f.outage());
        note = "catalog locked " + f.outage().toSeconds() + "s";
        waitLake = true;
      }
      default -> throw new IllegalStateException("not a stream fault: " + f.kind());
    }
    if (prober != null) {
      prober.join(10_000);
    }
    Duration outage = Duration.ofNanos(System.nanoTime() - s0);
    long r0 = System.nanoTime();
    status = "#" + f.seq() + " " + f.kind().code() + " recovering";
    final boolean speedNeeded = waitSpeed;
    final boolean lakeNeeded = waitLake;
    final String lakeBefore = lakeMark;
    long[] speedAfter = {speedMark};
    BooleanSupplier moved = () -> {
      boolean ok = true;
      if (speedNeeded) {
        ok = (f.kind() != FaultKind.SPEED_KILL || stack.speedRunning()) && stack.speedWriteMark() > speedAfter[0];
      }
      if (ok && lakeNeeded) {
        String now = stack.lakeCommitMark();
        ok = now != null && !Objects.equals(now, lakeBefore);
      }
      return ok;
    };
    // For ClickHouse faults, the mark before the fault may be above what a restarted server
    // reports only if parts were lost; take the mark after the restart as the baseline then.
    if (f.kind().clickHouseDown()) {
      long after = stack.speedWriteMark();
      if (after >= 0) {
        speedAfter[0] = after;
      }
    }
    boolean recovered = ChaosStack.await(RECOVERY_TIMEOUT, Duration.ofMillis(500), moved);
    Duration recovery = recovered ? Duration.ofNanos(System.nanoTime() - r0) : null;
    if (!json) {
      out.printf("%n  #%d %s at +%ds: %s; outage %.1fs, recovery %s%n", f.seq(), f.kind().code(), f.at().toSeconds(), note,
          outage.toMillis() / 1000.0, recovery == null ? "none within " + RECOVERY_TIMEOUT.toSeconds() + "s" : String.format(
              java.util.Locale.ROOT, "%.1fs", recovery.toMillis() / 1000.0));
      out.flush();
    }
    return new FaultOutcome(f, struck, outage, recovery, note);
  }

  /** Probes the serving layer every second while ClickHouse is away. */
  private Thread probeWhile(ChaosStack stack, Duration max) {
    Thread t = new Thread(() -> {
      long end = System.nanoTime() + max.toNanos();
      try {
        Thread.sleep(1000);
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
          probes.add(stack.probe());
          Thread.sleep(1000);
        }
      } catch (InterruptedException e) {
        // the outage is over
      }
    }, "chaos-serving-probe");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String line(CheckResult c) {
    return c.verdict() + ": " + c.title() + (c.exact() ? "" : " — " + c.differing() + " differing, e.g. " + c.firstDifferences());
  }

  private void say(String format, Object... args) {
    if (!json) {
      out.printf(format + "%n", args);
      out.flush();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Duration formatting shared with the report. */
  static final class ChaosReportFmt {
    private ChaosReportFmt() {}

    static String fmt(Duration d) {
      return io.tidemark.core.config.Durations.format(d);
    }
  }
}
