package io.tidemark.generator;

import java.time.Duration;
import java.time.Instant;

/**
 * What traffic to generate. Immutable; the same spec (with the same {@link #startTime()}) always
 * yields the same records in the same order, so a ground-truth file can be recomputed.
 *
 * <pre>{@code
 * GeneratorSpec spec = GeneratorSpec.builder()
 *     .rate(1_000).duration(Duration.ofSeconds(60)).users(100).pages(20).seed(42)
 *     .outOfOrderMs(3_000).lateFraction(0.01).duplicateFraction(0.02).invalidFraction(0.01)
 *     .build();
 * }</pre>
 *
 * @param rate records per second, all kinds included
 * @param duration how long to produce; {@code rate * duration} records in all
 * @param users distinct user ids to draw from
 * @param pages distinct page urls to draw from
 * @param seed random seed
 * @param startTime event time of the first record; records advance by {@code 1 / rate} each
 * @param outOfOrderMs on-time events lie up to this far behind the stream's event time
 * @param lateFraction share of records sent too late: {@link #lateBy()} behind the stream
 * @param lateBy how far behind the stream a too-late record lies (beyond any allowed lateness)
 * @param duplicateFraction share of records that redeliver an earlier valid event
 * @param invalidFraction share of records that break the event contract
 */
public record GeneratorSpec(
    double rate,
    Duration duration,
    int users,
    int pages,
    long seed,
    Instant startTime,
    long outOfOrderMs,
    double lateFraction,
    Duration lateBy,
    double duplicateFraction,
    double invalidFraction) {

  /** Too-late records are only sent after this share of the run, once watermarks have moved. */
  public static final double LATE_WARMUP_SHARE = 0.2;

  public GeneratorSpec {
    require(rate > 0 && rate <= 10_000_000, "rate must be between 1 and 10000000 records/s, got " + rate);
    require(duration != null && !duration.isNegative() && !duration.isZero(), "duration must be positive");
    require(users >= 1, "users must be at least 1, got " + users);
    require(pages >= 1, "pages must be at least 1, got " + pages);
    require(startTime != null, "startTime is required");
    require(outOfOrderMs >= 0, "out-of-order-ms must be >= 0, got " + outOfOrderMs);
    require(lateBy != null && lateBy.toMillis() >= 0, "late-by must be >= 0");
    requireFraction("late-fraction", lateFraction);
    requireFraction("duplicate-fraction", duplicateFraction);
    requireFraction("invalid-fraction", invalidFraction);
    require(lateFraction + duplicateFraction + invalidFraction <= 0.9,
        "late-fraction + duplicate-fraction + invalid-fraction must be at most 0.9, got "
            + (lateFraction + duplicateFraction + invalidFraction));
  }

  /** Number of records the run produces. */
  public long totalRecords() {
    return Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireFraction(String name, double f) {
    require(f >= 0 && f <= 1, name + " must be between 0 and 1, got " + f);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Builder with the defaults of {@code ./tidemark produce}. */
  public static final class Builder {
    private double rate = 1_000;
    private Duration duration = Duration.ofSeconds(60);
    private int users = 100;
    private int pages = 20;
    private long seed = 42;
    private Instant startTime;
    private long outOfOrderMs;
    private double lateFraction;
    private Duration lateBy = Duration.ofMinutes(10);
    private double duplicateFraction;
    private double invalidFraction;

    public Builder rate(double v) { rate = v; return this; }
    public Builder duration(Duration v) { duration = v; return this; }
    public Builder users(int v) { users = v; return this; }
    public Builder pages(int v) { pages = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder startTime(Instant v) { startTime = v; return this; }
    public Builder outOfOrderMs(long v) { outOfOrderMs = v; return this; }
    public Builder lateFraction(double v) { lateFraction = v; return this; }
    public Builder lateBy(Duration v) { lateBy = v; return this; }
    public Builder duplicateFraction(double v) { duplicateFraction = v; return this; }
    public Builder invalidFraction(double v) { invalidFraction = v; return this; }

    /** Builds the spec; a missing start time means "now", truncated to the millisecond. */
    public GeneratorSpec build() {
      Instant start = startTime != null ? startTime : Instant.ofEpochMilli(System.currentTimeMillis());
      return new GeneratorSpec(rate, duration, users, pages, seed, start, outOfOrderMs,
          lateFraction, lateBy, duplicateFraction, invalidFraction);
    }
  }
}
