package io.tidemark.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle side of {@code ./tidemark chaos}: pure comparisons of what the pipeline produced
 * against the generator's ground truth, with no I/O, so each can be shown to fail on a planted
 * difference ({@code ChaosChecksTest}) as well as to pass on a real run ({@code ChaosIT}).
 */
public final class ChaosChecks {
  private ChaosChecks() {}

  /** How many differences a check lists. */
  public static final int FIRST_N = 10;

  /**
   * Cell by cell: every (key, window) of either side must hold the same count; a cell missing on
   * one side counts as 0 there. Used for the speed layer against {@code speedCounts} (check 1) and
   * for the served counts after reconcile against the full truth (check 4).
   */
  public static CheckResult cells(String id, String title, Map<CountMetric, Map<WindowKey, Long>> expected,
      Map<CountMetric, Map<WindowKey, Long>> actual) {
    long compared = 0;
    long differing = 0;
    List<String> first = new ArrayList<>();
    for (CountMetric m : CountMetric.values()) {
      Map<WindowKey, Long> e = expected.getOrDefault(m, Map.of());
      Map<WindowKey, Long> a = actual.getOrDefault(m, Map.of());
      Set<WindowKey> keys = new TreeSet<>(e.keySet());
      keys.addAll(a.keySet());
      for (WindowKey k : keys) {
        compared++;
        long ev = e.getOrDefault(k, 0L);
        long av = a.getOrDefault(k, 0L);
        if (ev != av) {
          differing++;
          if (first.size() < FIRST_N) {
            first.add(m.servingTable() + " (" + k.key() + ", " + Instant.ofEpochMilli(k.windowStart()) + "): expected " + ev
                + ", got " + av);
          }
        }
      }
    }
    return new CheckResult(id, title, differing == 0, compared, differing, first);
  }

  /**
   * Check 2 on {@code lake verify --json} and the topic's end offsets: per partition every offset
   * from 0 to the end archived once (count = end, min 0, max end - 1, no duplicate rows, no
   * finding), and the Kafka rows summing to the records produced.
   */
  public static CheckResult lake(JsonNode verify, Map<Integer, Long> endOffsets, long produced) {
    List<String> diffs = new ArrayList<>();
    long compared = 0;
    JsonNode parts = verify.path("partitions");
    for (Map.Entry<Integer, Long> e : new TreeMap<>(endOffsets).entrySet()) {
      long end = e.getValue();
      compared += end;
      JsonNode p = parts.path(Integer.toString(e.getKey()));
      long count = p.path("count").asLong(0);
      long dups = p.path("duplicateRows").asLong(0);
      if (end == 0 && p.isMissingNode()) {
        continue;
      }
      if (count - dups != end || p.path("min").asLong(-1) != 0 || p.path("max").asLong(-1) != end - 1) {
        diffs.add("partition " + e.getKey() + ": expected offsets 0.." + (end - 1) + " (" + end + " records), archived " + count
            + " rows, offsets " + p.path("min").asText("-") + ".." + p.path("max").asText("-"));
      }
      if (dups > 0) {
        diffs.add("partition " + e.getKey() + ": " + dups + " rows repeat an archived offset");
      }
    }
    verify.path("findings").forEach(f -> diffs.add(f.path("kind").asText() + ": " + f.path("message").asText()));
    long kafkaRows = verify.path("kafkaRows").asLong();
    if (kafkaRows != produced) {
      diffs.add("rows from the events topic: expected " + produced + " (records produced), got " + kafkaRows);
    }
    return new CheckResult("lake-exactly-once", "lake: every produced record archived exactly once (topic/partition/offset)",
        diffs.isEmpty(), compared, diffs.size(), diffs.subList(0, Math.min(FIRST_N, diffs.size())));
  }

  /** One metric's figures of a stored drift report ({@code drift_report_metrics}). */
  public record DriftFigures(long batchTotal, long speedTotal, long tooLate, long notStreamed, long missing, long overCounted) {}

  /**
   * What the drift report must say for a metric, from the truth and the speed layer's cells: per
   * cell d = truth - speed; a shortfall is too-late up to the cell's too-late events, the rest
   * missing (nothing was imported, so not-streamed is 0); a surplus is over-counted.
   */
  public static DriftFigures expectedDrift(Map<WindowKey, Long> truth, Map<WindowKey, Long> tooLate, Map<WindowKey, Long> speed) {
    Set<WindowKey> keys = new HashSet<>(truth.keySet());
    keys.addAll(speed.keySet());
    long bt = 0;
    long st = 0;
    long late = 0;
    long missing = 0;
    long over = 0;
    for (WindowKey k : keys) {
      long t = truth.getOrDefault(k, 0L);
      long s = speed.getOrDefault(k, 0L);
      bt += t;
      st += s;
      long d = t - s;
      if (d > 0) {
        long l = Math.min(d, tooLate.getOrDefault(k, 0L));
        late += l;
        missing += d - l;
      } else {
        over -= d;
      }
    }
    return new DriftFigures(bt, st, late, 0, missing, over);
  }

  /** Check 3: per day and metric, the stored figures equal {@link #expectedDrift}. */
  public static CheckResult drift(Map<String, Map<CountMetric, DriftFigures>> expected, Map<String, Map<CountMetric, DriftFigures>> stored) {
    List<String> diffs = new ArrayList<>();
    long compared = 0;
    for (Map.Entry<String, Map<CountMetric, DriftFigures>> day : new TreeMap<>(expected).entrySet()) {
      for (CountMetric m : CountMetric.values()) {
        DriftFigures e = day.getValue().get(m);
        DriftFigures s = stored.getOrDefault(day.getKey(), Map.of()).get(m);
        String where = day.getKey() + " " + m.servingTable();
        compared += 6;
        if (s == null) {
          diffs.add(where + ": no drift report stored");
          continue;
        }
        compare(diffs, where, "batch total", e.batchTotal(), s.batchTotal());
        compare(diffs, where, "speed total", e.speedTotal(), s.speedTotal());
        compare(diffs, where, "too-late", e.tooLate(), s.tooLate());
        compare(diffs, where, "not-streamed", e.notStreamed(), s.notStreamed());
        compare(diffs, where, "missing-from-speed", e.missing(), s.missing());
        compare(diffs, where, "over-counted", e.overCounted(), s.overCounted());
      }
    }
    return new CheckResult("drift-report", "drift report: per-cause figures equal truth minus the speed layer's output",
        diffs.isEmpty(), compared, diffs.size(), diffs.subList(0, Math.min(FIRST_N, diffs.size())));
  }

  private static void compare(List<String> diffs, String where, String what, long expected, long got) {
    if (expected != got) {
      diffs.add(where + " " + what + ": expected " + expected + ", got " + got);
    }
  }

  /**
   * One record of the dead-letter topic.
   *
   * @param source {@code partition@offset} of the invalid record in the events topic (headers)
   * @param reason the reason code header
   * @param payloadHash a hash of the value (the original bytes)
   */
  public record DeadLetter(String source, String reason, int payloadHash) {}

  /**
   * Check 5: every invalid record present with its reason: the distinct sources per reason equal
   * the truth's invalid records per reason; a source seen more than once (the at-least-once
   * contract lets a restore repeat a dead letter, with the same source headers) must repeat the
   * same reason and bytes.
   */
  public static CheckResult deadLetters(List<DeadLetter> records, Map<String, Long> invalidByReason) {
    Map<String, DeadLetter> bySource = new HashMap<>();
    List<String> diffs = new ArrayList<>();
    long repeats = 0;
    for (DeadLetter r : records) {
      if (r.source() == null || r.source().startsWith("null")) {
        diffs.add("dead letter without source headers, reason " + r.reason());
        continue;
      }
      DeadLetter first = bySource.putIfAbsent(r.source(), r);
      if (first != null) {
        repeats++;
        if (!first.reason().equals(r.reason()) || first.payloadHash() != r.payloadHash()) {
          diffs.add("source " + r.source() + ": repeated with a different reason or payload (" + first.reason() + " vs " + r.reason() + ")");
        }
      }
    }
    Map<String, Long> got = new TreeMap<>();
    bySource.values().forEach(r -> got.merge(r.reason(), 1L, Long::sum));
    Set<String> reasons = new TreeSet<>(invalidByReason.keySet());
    reasons.addAll(got.keySet());
    for (String reason : reasons) {
      long e = invalidByReason.getOrDefault(reason, 0L);
      long g = got.getOrDefault(reason, 0L);
      if (e != g) {
        diffs.add("reason " + reason + ": expected " + e + " invalid records, dead-letter topic holds " + g);
      }
    }
    String title = "dead letters: every invalid record present once per source with its reason ("
        + records.size() + " records, " + repeats + " at-least-once repeats)";
    return new CheckResult("dead-letters", title, diffs.isEmpty(), records.size(), diffs.size(),
        diffs.subList(0, Math.min(FIRST_N, diffs.size())));
  }

  /** One probe of the serving layer while ClickHouse was down. */
  public record ServingProbe(long metricsMillis, int metricsStatus, int healthStatus) {}

  /** While ClickHouse faults last: /metrics within 1 s and /api/health 503, every probe. */
  public static CheckResult serving(List<ServingProbe> probes) {
    List<String> diffs = new ArrayList<>();
    long slow = probes.stream().filter(p -> p.metricsMillis() > 1000 || p.metricsStatus() != 200).count();
    long notUnavailable = probes.stream().filter(p -> p.healthStatus() != 503).count();
    long max = probes.stream().mapToLong(ServingProbe::metricsMillis).max().orElse(0);
    if (probes.isEmpty()) {
      diffs.add("no probe ran (no ClickHouse fault in the schedule)");
    }
    if (slow > 0) {
      diffs.add("/metrics: " + slow + " of " + probes.size() + " probes not answered 200 within 1 s (slowest " + max + " ms)");
    }
    if (notUnavailable > 0) {
      Map<Integer, Long> codes = new TreeMap<>();
      probes.forEach(p -> codes.merge(p.healthStatus(), 1L, Long::sum));
      diffs.add("/api/health: " + notUnavailable + " of " + probes.size() + " probes not 503 (status codes " + codes + ")");
    }
    return new CheckResult("serving-outage", "serving while ClickHouse is down: /metrics within 1 s (slowest " + max
        + " ms), /api/health 503", diffs.isEmpty(), probes.size(), diffs.size(), diffs);
  }
}
