package io.tidemark.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The exact expected result of a generator run, computed from what the generator meant to send
 * (not by reading Kafka back), for tests and benchmarks to compare against.
 *
 * <p>{@link #counts} are the authoritative counts of the event contract: every valid, distinct
 * event_id in its window, too-late ones included (the batch layer counts them). The speed layer
 * cannot count too-late events, so its expectation is {@link #speedCounts}: counts minus
 * {@link #tooLateCounts}.
 */
public final class GroundTruth {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<CountMetric, Map<WindowKey, Long>> counts = new EnumMap<>(CountMetric.class);
  private final Map<CountMetric, Map<WindowKey, Long>> tooLate = new EnumMap<>(CountMetric.class);
  private final Set<String> tooLateEventIds = new TreeSet<>();
  private final Map<String, Long> invalidByReason = new TreeMap<>();
  private long produced;
  private long validDistinct;
  private long duplicates;

  public GroundTruth() {
    for (CountMetric m : CountMetric.values()) {
      counts.put(m, new HashMap<>());
      tooLate.put(m, new HashMap<>());
    }
  }

  /** Adds one generated record; call in send order. */
  public void add(GeneratedRecord r) {
    produced++;
    switch (r.kind()) {
      case INVALID -> invalidByReason.merge(r.expectedReason().code(), 1L, Long::sum);
      case DUPLICATE -> duplicates++;
      case ON_TIME, TOO_LATE -> {
        validDistinct++;
        for (CountMetric m : CountMetric.values()) {
          counts.get(m).merge(m.windowKeyOf(r.event()), 1L, Long::sum);
          if (r.kind() == GeneratedRecord.Kind.TOO_LATE) {
            tooLate.get(m).merge(m.windowKeyOf(r.event()), 1L, Long::sum);
          }
        }
        if (r.kind() == GeneratedRecord.Kind.TOO_LATE) {
          tooLateEventIds.add(r.event().eventId());
        }
      }
    }
  }

  /** Authoritative counts: all valid distinct events, too-late ones included. */
  public Map<WindowKey, Long> counts(CountMetric m) {
    return Collections.unmodifiableMap(counts.get(m));
  }

  /** Counts of the too-late events alone. */
  public Map<WindowKey, Long> tooLateCounts(CountMetric m) {
    return Collections.unmodifiableMap(tooLate.get(m));
  }

  /** What the speed layer must show: {@link #counts} minus {@link #tooLateCounts}, no zero rows. */
  public Map<WindowKey, Long> speedCounts(CountMetric m) {
    return speedCounts(counts.get(m), tooLate.get(m));
  }

  /** Full counts minus too-late counts, no zero rows (also for truths summed over several runs). */
  public static Map<WindowKey, Long> speedCounts(Map<WindowKey, Long> counts, Map<WindowKey, Long> tooLate) {
    Map<WindowKey, Long> result = new HashMap<>(counts);
    tooLate.forEach((k, v) -> result.computeIfPresent(k, (kk, c) -> c - v == 0 ? null : c - v));
    return result;
  }

  public long produced() {
    return produced;
  }

  public long validDistinct() {
    return validDistinct;
  }

  public long duplicates() {
    return duplicates;
  }

  public long tooLate() {
    return tooLateEventIds.size();
  }

  public Set<String> tooLateEventIds() {
    return Collections.unmodifiableSet(tooLateEventIds);
  }

  public long invalid() {
    return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Invalid records per {@link io.tidemark.core.event.InvalidReason#code()}. */
  public Map<String, Long> invalidByReason() {
    return Collections.unmodifiableMap(invalidByReason);
  }

  /** Writes the ground truth as JSON (sorted, so two equal runs give equal files). */
  public void write(Path file, GeneratorSpec spec) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode s = root.putObject("spec");
    s.put("rate", spec.rate());
    s.put("duration_ms", spec.duration().toMillis());
    s.put("users", spec.users());
    s.put("pages", spec.pages());
    s.put("seed", spec.seed());
    s.put("start_time_ms", spec.startTime().toEpochMilli());
    s.put("out_of_order_ms", spec.outOfOrderMs());
    s.put("late_fraction", spec.lateFraction());
    s.put("late_by_ms", spec.lateBy().toMillis());
    s.put("duplicate_fraction", spec.duplicateFraction());
    s.put("invalid_fraction", spec.invalidFraction());
    root.put("produced", produced);
    root.put("valid_distinct", validDistinct);
    root.put("duplicates", duplicates);
    root.put("too_late", tooLate());
    root.put("invalid", invalid());
    ObjectNode reasons = root.putObject("invalid_by_reason");
    invalidByReason.forEach(reasons::put);
    for (CountMetric m : CountMetric.values()) {
      writeCounts(root.putArray(m.servingTable()), m, counts.get(m));
      writeCounts(root.putArray("too_late_" + m.servingTable()), m, tooLate.get(m));
    }
    ArrayNode ids = root.putArray("too_late_event_ids");
    tooLateEventIds.forEach(ids::add);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write ground truth to " + file, e);
    }
  }

  private static void writeCounts(ArrayNode array, CountMetric m, Map<WindowKey, Long> cells) {
    new TreeMap<>(cells).forEach((k, v) -> {
      ObjectNode row = array.addObject();
      row.put(m.keyColumn(), k.key());
      row.put("window_start", k.windowStart());
      row.put("count", v);
    });
  }

  /** Reads a file written by {@link #write}. */
  public static GroundTruth read(Path file) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      GroundTruth t = new GroundTruth();
      t.produced = root.path("produced").asLong();
      t.validDistinct = root.path("valid_distinct").asLong();
      t.duplicates = root.path("duplicates").asLong();
      root.path("invalid_by_reason").fields().forEachRemaining(e -> t.invalidByReason.put(e.getKey(), e.getValue().asLong()));
      for (CountMetric m : CountMetric.values()) {
        readCounts(root.path(m.servingTable()), m, t.counts.get(m));
        readCounts(root.path("too_late_" + m.servingTable()), m, t.tooLate.get(m));
      }
      root.path("too_late_event_ids").forEach(n -> t.tooLateEventIds.add(n.asText()));
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read ground truth " + file, e);
    }
  }

  private static void readCounts(JsonNode array, CountMetric m, Map<WindowKey, Long> into) {
    array.forEach(row -> into.put(
        new WindowKey(row.path(m.keyColumn()).asText(), row.path("window_start").asLong()),
        row.path("count").asLong()));
  }
}
