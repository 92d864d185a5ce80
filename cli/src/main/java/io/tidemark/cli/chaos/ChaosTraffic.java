package io.tidemark.cli.chaos;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generator traffic that lasts as long as the faults do: consecutive segments, each a
 * {@link TrafficGenerator} run with its own seed (so event ids never repeat across segments),
 * until {@link #stop()}; the ground truth is the sum of the segments' truths.
 *
 * <p>Why segments: recovery is measured by the outputs moving again, which needs traffic, and on a
 * loaded machine the schedule can outlast the planned duration; a segment's truth is exact only
 * once it has been sent completely, so the traffic stops at a segment boundary.
 */
public final class ChaosTraffic implements Runnable {
  /** Length of one segment. */
  public static final Duration SEGMENT = Duration.ofSeconds(20);

  private final TidemarkConfig config;
  private final double rate;
  private final long seed;
  private final List<GroundTruth> parts = Collections.synchronizedList(new ArrayList<>());
  private final List<GeneratorSpec> specs = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stopped;
  private volatile RuntimeException failure;

  public ChaosTraffic(TidemarkConfig config, double rate, long seed) {
    this.config = config;
    this.rate = rate;
    this.seed = seed;
  }

  /** The traffic of segment {@code i}: every kind of record (out-of-order, too late, duplicate, invalid). */
  public static GeneratorSpec segment(double rate, long seed, int i) {
    return GeneratorSpec.builder().rate(rate).duration(SEGMENT).users(200).pages(30).seed(seed * 1_000_003L + i)
        .outOfOrderMs(3000).lateFraction(0.01).duplicateFraction(0.02).invalidFraction(0.01).build();
  }

  @Override
  public void run() {
    try {
      for (int i = 0; !stopped; i++) {
        GeneratorSpec spec = segment(rate, seed, i);
        GroundTruth t = TrafficGenerator.builder().config(config).spec(spec).build().run(null);
        specs.add(spec);
        parts.add(t);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Ends the traffic after the segment being sent. */
  public void stop() {
    stopped = true;
  }

  /** The generator's failure, if it stopped on one. */
  public RuntimeException failure() {
    return failure;
  }

  /** Writes each segment's truth as {@code ground-truth-<i>.json} under {@code dir}. */
  public void write(Path dir) {
    synchronized (parts) {
      for (int i = 0; i < parts.size(); i++) {
        parts.get(i).write(dir.resolve("ground-truth-" + i + ".json"), specs.get(i));
      }
    }
  }

  /** The truth of every segment sent so far, summed. */
  public Truth truth() {
    synchronized (parts) {
      return new Truth(List.copyOf(parts));
    }
  }

  /** The summed ground truth of several generator runs with disjoint event ids. */
  public static final class Truth {
    private final Map<CountMetric, Map<WindowKey, Long>> counts = new EnumMap<>(CountMetric.class);
    private final Map<CountMetric, Map<WindowKey, Long>> tooLate = new EnumMap<>(CountMetric.class);
    private final Map<String, Long> invalidByReason = new TreeMap<>();
    private long produced;
    private long validDistinct;
    private long duplicates;
    private long tooLateEvents;

    public Truth(List<GroundTruth> parts) {
      for (CountMetric m : CountMetric.values()) {
        counts.put(m, new HashMap<>());
        tooLate.put(m, new HashMap<>());
      }
      for (GroundTruth t : parts) {
        for (CountMetric m : CountMetric.values()) {
          t.counts(m).forEach((k, v) -> counts.get(m).merge(k, v, Long::sum));
          t.tooLateCounts(m).forEach((k, v) -> tooLate.get(m).merge(k, v, Long::sum));
        }
        t.invalidByReason().forEach((k, v) -> invalidByReason.merge(k, v, Long::sum));
        produced += t.produced();
        validDistinct += t.validDistinct();
        duplicates += t.duplicates();
        tooLateEvents += t.tooLate();
      }
    }

    public Map<WindowKey, Long> counts(CountMetric m) {
      return counts.get(m);
    }

    public Map<WindowKey, Long> tooLateCounts(CountMetric m) {
      return tooLate.get(m);
    }

    /** Counts minus too-late counts, no zero rows: what the speed layer can show. */
    public Map<WindowKey, Long> speedCounts(CountMetric m) {
      return io.tidemark.generator.GroundTruth.speedCounts(counts.get(m), tooLate.get(m));
    }

    public Map<String, Long> invalidByReason() {
      return invalidByReason;
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
      return tooLateEvents;
    }

    public long invalid() {
      return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
