package io.tidemark.cli.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary of one chaos run: faults by kind with their recovery times, records produced, and
 * every check's verdict; rendered as text, as JSON ({@code --json}) and as the generated section of
 * {@code docs/reliability.md}.
 *
 * @param seed the schedule's seed
 * @param requested the {@code --duration}
 * @param elapsed wall time of the whole run, set-up to verdict
 * @param records records produced, by kind (produced, valid distinct, duplicates, too late, invalid)
 * @param outcomes every fault that struck, in order
 * @param checks every check, in order
 */
public record ChaosReport(long seed, Duration requested, Duration elapsed, Map<String, Long> records,
    List<FaultOutcome> outcomes, List<CheckResult> checks) {

  /** How recovery is measured, printed with the figures. */
  public static final String RECOVERY_DEFINITION =
      "recovery = from the restart of the struck piece (or the catalog lock released) until its consumers' output moves"
          + " again: a new speed-layer insert into ClickHouse (speed-kill, kafka-kill, clickhouse-*) and/or a new"
          + " Iceberg commit of the lake table (connect-kill, kafka-kill, s3-outage, catalog-lock); for reconcile-kill"
          + " until the rerun completed the day. outage = from the strike until the restart.";

  public boolean allExact() {
    return checks.stream().allMatch(CheckResult::exact);
  }

  /** Per kind: faults, outage max, recovery p50 and max (ms; -1 when none recovered). */
  public Map<FaultKind, long[]> byKind() {
    Map<FaultKind, List<Long>> rec = new EnumMap<>(FaultKind.class);
    Map<FaultKind, long[]> out = new EnumMap<>(FaultKind.class);
    for (FaultOutcome o : outcomes) {
      FaultKind k = o.fault().kind();
      long[] row = out.computeIfAbsent(k, x -> new long[] {0, 0, -1, -1, 0});
      row[0]++;
      row[1] = Math.max(row[1], o.outage().toMillis());
      if (o.recovery() != null) {
        rec.computeIfAbsent(k, x -> new ArrayList<>()).add(o.recovery().toMillis());
      } else {
        row[4]++;
      }
    }
    rec.forEach((k, list) -> {
      list.sort(Long::compare);
      out.get(k)[2] = list.get((list.size() - 1) / 2);
      out.get(k)[3] = list.get(list.size() - 1);
    });
    return out;
  }

  public String text() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Chaos run: seed %d, %s of traffic, %s in all; %d faults%n", seed, fmt(requested),
        fmt(elapsed), outcomes.size()));
    b.append("Records produced: ").append(recordsLine()).append('\n');
    b.append(String.format(Locale.ROOT, "%-16s %6s %10s %13s %13s%n", "fault", "count", "outage max", "recovery p50", "recovery max"));
    byKind().forEach((k, r) -> b.append(String.format(Locale.ROOT, "%-16s %6d %10s %13s %13s%s%n", k.code(), r[0], secs(r[1]),
        secs(r[2]), secs(r[3]), r[4] > 0 ? "  (" + r[4] + " not recovered)" : "")));
    b.append("  (").append(RECOVERY_DEFINITION).append(")\n");
    for (FaultOutcome o : outcomes) {
      b.append(String.format(Locale.ROOT, "  #%-2d %-16s at +%-6s outage %-6s recovery %-6s %s%n", o.fault().seq(),
          o.fault().kind().code(), fmt(o.fault().at()), secs(o.outage().toMillis()),
          o.recovery() == null ? "none" : secs(o.recovery().toMillis()), o.note()));
    }
    b.append("Checks:\n");
    int i = 1;
    for (CheckResult c : checks) {
      b.append(String.format(Locale.ROOT, "  %d. %-7s %s (%d compared, %d differing)%n", i++, c.verdict(), c.title(), c.compared(),
          c.differing()));
      c.firstDifferences().forEach(d -> b.append("       ").append(d).append('\n'));
    }
    return b.toString();
  }

  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seed", seed);
    m.put("duration_s", requested.toSeconds());
    m.put("elapsed_s", elapsed.toSeconds());
    m.put("records", records);
    List<Map<String, Object>> kinds = new ArrayList<>();
    byKind().forEach((k, r) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("kind", k.code());
      row.put("count", r[0]);
      row.put("outage_max_ms", r[1]);
      row.put("recovery_p50_ms", r[2]);
      row.put("recovery_max_ms", r[3]);
      row.put("not_recovered", r[4]);
      kinds.add(row);
    });
    m.put("faults_by_kind", kinds);
    List<Map<String, Object>> faults = new ArrayList<>();
    for (FaultOutcome o : outcomes) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("seq", o.fault().seq());
      row.put("kind", o.fault().kind().code());
      row.put("at_ms", o.fault().at().toMillis());
      row.put("struck", o.struck().toString());
      row.put("outage_ms", o.outage().toMillis());
      row.put("recovery_ms", o.recovery() == null ? null : o.recovery().toMillis());
      row.put("note", o.note());
      faults.add(row);
    }
    m.put("faults", faults);
    List<Map<String, Object>> cs = new ArrayList<>();
    for (CheckResult c : checks) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", c.id());
      row.put("title", c.title());
      row.put("result", c.verdict());
      row.put("compared", c.compared());
      row.put("differing", c.differing());
      row.put("first_differences", c.firstDifferences());
      cs.add(row);
    }
    m.put("checks", cs);
    m.put("exact", allExact());
    m.put("recovery_definition", RECOVERY_DEFINITION);
    return m;
  }

  static final String BEGIN = "<!-- chaos:begin (generated by ./tidemark chaos; do not edit by hand) -->";
  static final String END = "<!-- chaos:end -->";

  /** The generated section of docs/reliability.md. */
  public String markdown(String when) {
    StringBuilder b = new StringBuilder();
    b.append(BEGIN).append("\n\n");
    b.append(String.format(Locale.ROOT, "Last run: %s, `./tidemark chaos --duration %s --seed %d`, %s in all, %s.%n%n", when,
        fmt(requested), seed, fmt(elapsed), allExact() ? "every check exact" : "**some checks failed**"));
    b.append("Records produced: ").append(recordsLine()).append(".\n\n");
    b.append("| Fault | Count | Outage max | Recovery p50 | Recovery max |\n|---|---:|---:|---:|---:|\n");
    byKind().forEach((k, r) -> b.append(String.format(Locale.ROOT, "| `%s` (%s) | %d | %s | %s | %s%s |%n", k.code(), k.description(),
        r[0], secs(r[1]), secs(r[2]), secs(r[3]), r[4] > 0 ? " (" + r[4] + " not recovered)" : "")));
    b.append("\n").append(RECOVERY_DEFINITION.substring(0, 1).toUpperCase(Locale.ROOT)).append(RECOVERY_DEFINITION.substring(1))
        .append("\n\n");
    b.append("| # | Check | Result | Compared | Differing |\n|---|---|---|---:|---:|\n");
    int i = 1;
    for (CheckResult c : checks) {
      b.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %d |%n", i++, c.title().replace("|", "\\|"), c.verdict(),
          c.compared(), c.differing()));
    }
    for (CheckResult c : checks) {
      if (!c.exact()) {
        b.append("\n").append(c.id()).append(" differences (first ").append(c.firstDifferences().size()).append("):\n\n");
        c.firstDifferences().forEach(d -> b.append("- ").append(d.replace("|", "\\|")).append('\n'));
      }
    }
    b.append('\n').append(END);
    return b.toString();
  }

  /** Replaces the generated section of {@code doc} (appends it when the file has none). */
  public void writeSection(Path doc, String when) {
    try {
      String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Reliability\n";
      String section = markdown(when);
      int a = text.indexOf(BEGIN);
      int z = text.indexOf(END);
      String updated = a >= 0 && z > a
          ? text.substring(0, a) + section + text.substring(z + END.length())
          : text.stripTrailing() + "\n\n" + section + "\n";
      Files.writeString(doc, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + doc + ": " + e.getMessage(), e);
    }
  }

  private String recordsLine() {
    List<String> parts = new ArrayList<>();
    records.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %,d", k, v)));
    return String.join(", ", parts);
  }

  static String secs(long ms) {
    return ms < 0 ? "-" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  static String fmt(Duration d) {
    return io.tidemark.core.config.Durations.format(d);
  }
}
