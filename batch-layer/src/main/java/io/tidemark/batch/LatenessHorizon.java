package io.tidemark.batch;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.Windows;
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
 * <p>The two keys belong to the speed layer, which the batch layer must not depend on (Flink and
 * Spark never share a classpath), so they are read here by name and deliberately left out of
 * {@link BatchOptions#all()}: the speed layer's process validates them. TODO(core): move both
 * declarations to core so the defaults are declared once.
 *
 * <p>Arrival time approximates the speed layer's watermark (which follows event time per Kafka
 * partition): exact for live traffic, where producers stamp events as they send them.
 */
public record LatenessHorizon(Duration outOfOrderness, Duration allowedLateness) implements Serializable {
  /** Read-only view of the speed layer's {@code tidemark.speed.out-of-orderness}. */
  static final ConfigOption<Duration> SPEED_OUT_OF_ORDERNESS =
      ConfigOption.durationKey("tidemark.speed.out-of-orderness")
          .defaultValue(Duration.ofSeconds(5))
          .description("See the speed layer's options.");

  /** Read-only view of the speed layer's {@code tidemark.speed.allowed-lateness}. */
  static final ConfigOption<Duration> SPEED_ALLOWED_LATENESS =
      ConfigOption.durationKey("tidemark.speed.allowed-lateness")
          .defaultValue(Duration.ofMinutes(2))
          .description("See the speed layer's options.");

  public static LatenessHorizon of(TidemarkConfig cfg) {
    return new LatenessHorizon(cfg.get(SPEED_OUT_OF_ORDERNESS), cfg.get(SPEED_ALLOWED_LATENESS));
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
