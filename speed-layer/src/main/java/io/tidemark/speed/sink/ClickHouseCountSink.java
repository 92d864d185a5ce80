package io.tidemark.speed.sink;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.speed.count.CountUpdate;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Sink of one metric's {@link CountUpdate}s into its ClickHouse store table.
 *
 * <p>Buffers the newest update per (key, window) and writes the changed windows when {@code
 * batchSize} windows are pending, every {@code flushInterval} (early results), and before every
 * checkpoint barrier ({@link SinkWriter#flush} is called at the barrier), so a completed checkpoint
 * means every count it covers is in ClickHouse. Writes are idempotent by version (see {@link
 * io.tidemark.speed.count.Versions}), so the replay after a restore and retried inserts never add
 * to a count: exactly-once in effect with at-least-once writes. Retries with exponential backoff,
 * blocking the task meanwhile (backpressure reaches the Kafka source, nothing is dropped); after
 * {@code maxRetries} the job fails and restarts from its last checkpoint.
 *
 * <pre>{@code
 * ClickHouseCountSink sink = ClickHouseCountSink.builder()
 *     .metric(CountMetric.USER).store(ClickHouseCountStore.builder().url(url).build())
 *     .batchSize(20_000).flushInterval(Duration.ofSeconds(1))
 *     .maxRetries(12).retryBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class ClickHouseCountSink implements Sink<CountUpdate> {
  /**
   * Start of the line a writer logs when its bounded input is fully written, followed by the epoch
   * milliseconds; the speed benchmark reads it as the end of processing (a bounded job then still
   * waits for its final checkpoint before it ends).
   */
  public static final String DRAINED_MARKER = "sink drained at end of input, epoch ms ";

  private static final long serialVersionUID = 1L;

  final CountMetric metric;
  final CountStore.Factory store;
  final int batchSize;
  final long flushIntervalMs;
  final int maxRetries;
  final long retryBackoffMs;
  final long maxBackoffMs;

  private ClickHouseCountSink(Builder b) {
    this.metric = b.metric;
    this.store = b.store;
    this.batchSize = b.batchSize;
    this.flushIntervalMs = b.flushInterval.toMillis();
    this.maxRetries = b.maxRetries;
    this.retryBackoffMs = b.retryBackoff.toMillis();
    this.maxBackoffMs = b.maxBackoff.toMillis();
  }

  @Override
  public SinkWriter<CountUpdate> createWriter(WriterInitContext context) {
    return new ClickHouseCountWriter(this, store.open(), context);
  }

  public CountMetric metric() {
    return metric;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; {@code metric} and {@code store} are required. */
  public static final class Builder {
    private CountMetric metric;
    private CountStore.Factory store;
    private int batchSize = 20_000;
    private Duration flushInterval = Duration.ofSeconds(1);
    private int maxRetries = 12;
    private Duration retryBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);

    private Builder() {}

    public Builder metric(CountMetric metric) {
      this.metric = metric;
      return this;
    }

    public Builder store(CountStore.Factory store) {
      this.store = store;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    public ClickHouseCountSink build() {
      if (metric == null) {
        throw new IllegalArgumentException("Property metric is required but not provided");
      }
      if (store == null) {
        throw new IllegalArgumentException("Property store is required but not provided");
      }
      if (batchSize <= 0 || maxRetries < 0) {
        throw new IllegalArgumentException("batchSize must be positive and maxRetries not negative");
      }
      Objects.requireNonNull(flushInterval, "flushInterval");
      return new ClickHouseCountSink(this);
    }
  }
}
