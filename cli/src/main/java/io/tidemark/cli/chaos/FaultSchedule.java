package io.tidemark.cli.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded fault schedule: the same seed, duration and kinds always give the same faults at the
 * same offsets, so a failed chaos run can be repeated.
 *
 * <p>The stream phase (all of the run but its last fifth, which is left for the pipeline to run
 * clean before the catch-up) is cut into one slot per fault; kinds are shuffled over the slots and
 * each fault strikes at a random point in the first half of its slot, so that faults do not
 * overlap and each has time to recover before the next. Every kind chosen strikes at least once,
 * and once more per four minutes of run. Outages scale with the run: ClickHouse stays down for a
 * tenth of the run (at most 60 s, at least 10 s), the object store and the catalog for 5-20 s, the
 * broker for 3-10 s.
 */
public final class FaultSchedule {
  private FaultSchedule() {}

  /** How many times each kind strikes in a run of this length. */
  public static int perKind(Duration run) {
    return 1 + (int) (run.toSeconds() / 240);
  }

  /** The schedule; {@link FaultKind#RECONCILE_KILL} faults come last with offset zero. */
  public static List<Fault> plan(long seed, Duration run, Set<FaultKind> kinds) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = perKind(run);
    List<FaultKind> stream = new ArrayList<>();
    for (FaultKind k : FaultKind.values()) {
      if (kinds.contains(k) && k.duringStream()) {
        for (int i = 0; i < n; i++) {
          stream.add(k);
        }
      }
    }
    for (int i = stream.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      FaultKind t = stream.get(i);
      stream.set(i, stream.get(j));
      stream.set(j, t);
    }
    long active = run.toMillis() * 4 / 5;
    long lead = Math.min(10_000, active / 10);
    long slot = stream.isEmpty() ? 0 : (active - lead) / stream.size();
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < stream.size(); i++) {
      FaultKind k = stream.get(i);
      long at = lead + i * slot + (slot > 1 ? random.nextLong(slot / 2) : 0);
      faults.add(new Fault(0, k, Duration.ofMillis(at), outage(k, run, random)));
    }
    faults.sort(Comparator.comparing(Fault::at));
    if (kinds.contains(FaultKind.RECONCILE_KILL)) {
      faults.add(new Fault(0, FaultKind.RECONCILE_KILL, Duration.ZERO, Duration.ZERO));
    }
    List<Fault> numbered = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      Fault f = faults.get(i);
      numbered.add(new Fault(i + 1, f.kind(), f.at(), f.outage()));
    }
    return numbered;
  }

  static Duration outage(FaultKind k, Duration run, SplittableRandom random) {
    long s = run.toSeconds();
    return switch (k) {
      case CLICKHOUSE_STOP -> Duration.ofSeconds(Math.max(10, Math.min(60, s / 10)));
      case S3_OUTAGE, CATALOG_LOCK -> Duration.ofSeconds(5 + random.nextInt(16));
      case KAFKA_KILL -> Duration.ofSeconds(3 + random.nextInt(8));
      default -> Duration.ZERO;
    };
  }
}
