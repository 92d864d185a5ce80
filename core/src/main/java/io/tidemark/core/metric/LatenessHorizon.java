package io.tidemark.core.metric;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/**
 * When the speed layer stops accepting events for a window: its watermark trails the highest event
 * time by {@code tidemark.speed.out-of-orderness}, and a window still takes late events for {@code
 * tidemark.speed.allowed-lateness} after it closes. An event whose Kafka arrival time is at or after
 * {@code windowEnd + outOfOrderness + allowedLateness} was too late for the speed layer; a day is
 * settled once that point has passed for its last window.
 *
 * <p>Both keys are declared here, once, though they are named after the speed layer whose
 * watermark and window operator they configure: the batch layer and reconcile judge "too late for
 * the speed layer" by the same two values, and neither may depend on the speed layer (Flink and
 * Spark never share a classpath). {@code SpeedOptions} lists these same constants among its own.
 *
 * <p>Arrival time approximates the speed layer's watermark (which follows event time per Kafka
 * partition): exact for live traffic, where producers stamp events as they send them.
 */
public record LatenessHorizon(Duration outOfOrderness, Duration allowedLateness) implements Serializable {
  /** The speed layer's watermark bound: {@code tidemark.speed.out-of-orderness}. */
  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOption.durationKey("tidemark.speed.out-of-orderness")
          .defaultValue(Duration.ofSeconds(5))
          .description("Bound of the event-time watermark behind the highest timestamp seen per Kafka partition.");

  /** How long a closed window still takes late events: {@code tidemark.speed.allowed-lateness}. */
  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      ConfigOption.durationKey("tidemark.speed.allowed-lateness")
          .defaultValue(Duration.ofMinutes(2))
          .description("How long after a window closes late events still update its count; later ones go to the late topic.");

  /** The horizon of a configuration (defaults where the keys are unset). */
  public static LatenessHorizon of(TidemarkConfig cfg) {
    return new LatenessHorizon(cfg.get(OUT_OF_ORDERNESS), cfg.get(ALLOWED_LATENESS));
  }

  /** Milliseconds after a window's end from which an arriving event is too late. */
  public long afterWindowEndMs() {
    return outOfOrderness.toMillis() + allowedLateness.toMillis();
  }

  /** Whether an event of the window starting at {@code windowStartMs} arriving at {@code arrivalMs} was too late. */
  public boolean tooLate(long windowStartMs, long arrivalMs) {
    return arrivalMs >= Windows.windowEnd(windowStartMs) + afterWindowEndMs();
  }

  /** The first instant at which no event of {@code day} can change the speed layer's counts any more. */
  public Instant settledAt(LocalDate day) {
    return Instant.ofEpochMilli(Windows.dayEndMs(day) + afterWindowEndMs());
  }
}
