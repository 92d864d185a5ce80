package io.tidemark.speed.sink;

import io.tidemark.speed.SpeedMetrics;
import io.tidemark.speed.count.CountUpdate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer of {@link ClickHouseCountSink}. Runs on the task thread only (timers are mailbox
 * callbacks), so it needs no locking.
 */
final class ClickHouseCountWriter implements SinkWriter<CountUpdate> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCountWriter.class);

  private record Cell(String key, long windowStart) {}

  private final ClickHouseCountSink sink;
  private final CountStore store;
  private final ProcessingTimeService time;
  private Map<Cell, CountUpdate> pending = new HashMap<>();
  private final Counter rowsWritten;
  private final Counter insertErrors;
  private final Histogram freshness;
  private long lastInsertMillis;
  private boolean closed;

  ClickHouseCountWriter(ClickHouseCountSink sink, CountStore store, WriterInitContext context) {
    this(sink, store, context.getProcessingTimeService(), context.metricGroup());
  }

  ClickHouseCountWriter(
      ClickHouseCountSink sink, CountStore store, ProcessingTimeService time, MetricGroup metrics) {
    this.sink = sink;
    this.store = store;
    this.time = time;
    MetricGroup group = metrics.addGroup(SpeedMetrics.GROUP);
    rowsWritten = group.counter(SpeedMetrics.CLICKHOUSE_ROWS);
    group.meter(SpeedMetrics.CLICKHOUSE_ROWS_RATE, new MeterView(rowsWritten));
    insertErrors = group.counter(SpeedMetrics.CLICKHOUSE_ERRORS);
    group.gauge(SpeedMetrics.CLICKHOUSE_PENDING, (Gauge<Integer>) () -> pending.size());
    group.gauge(SpeedMetrics.CLICKHOUSE_LAST_INSERT_MS, (Gauge<Long>) () -> lastInsertMillis);
    freshness = group.histogram(SpeedMetrics.FRESHNESS_MS, new DescriptiveStatisticsHistogram(10_000));
    if (time != null) {
      scheduleFlush();
    }
  }

  private void scheduleFlush() {
    time.registerTimer(
        time.getCurrentProcessingTime() + sink.flushIntervalMs,
        t -> {
          if (!closed) {
            flushPending();
            scheduleFlush();
          }
        });
  }

  @Override
  public void write(CountUpdate update, Context context) throws IOException, InterruptedException {
    pending.merge(
        new Cell(update.key(), update.windowStart()),
        update,
        (old, neu) -> neu.version() >= old.version() ? neu : old);
    if (pending.size() >= sink.batchSize) {
      flushPending();
    }
  }

  /** Called by Flink before every checkpoint barrier and at end of input. */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    flushPending();
  }

  int pendingCount() {
    return pending.size();
  }

  void flushPending() throws IOException, InterruptedException {
    if (pending.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    List<CountStore.Row> rows = new ArrayList<>(pending.size());
    for (CountUpdate u : pending.values()) {
      rows.add(new CountStore.Row(u.key(), u.windowStart(), u.count(), u.version(), now));
    }
    writeWithRetries(rows);
    long written = System.currentTimeMillis();
    for (CountUpdate u : pending.values()) {
      freshness.update(written - u.latestEventTime());
    }
    rowsWritten.inc(rows.size());
    pending = new HashMap<>();
  }

  private void writeWithRetries(List<CountStore.Row> rows) throws IOException, InterruptedException {
    long backoff = sink.retryBackoffMs;
    for (int attempt = 0; ; attempt++) {
      long start = System.nanoTime();
      try {
        store.write(sink.metric, rows);
        lastInsertMillis = (System.nanoTime() - start) / 1_000_000;
        if (attempt > 0) {
          LOG.info("Wrote {} rows of {} after {} retries", rows.size(), sink.metric, attempt);
        }
        return;
      } catch (CountStoreException e) {
        insertErrors.inc();
        if (!e.isRetryable() || attempt >= sink.maxRetries) {
          throw new IOException(
              e.getMessage() + (e.isRetryable() ? " (gave up after " + attempt + " retries)" : ""), e);
        }
        LOG.warn("{}; retry {} of {} in {} ms", e.getMessage(), attempt + 1, sink.maxRetries, backoff);
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, sink.maxBackoffMs);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    store.close();
  }
}
