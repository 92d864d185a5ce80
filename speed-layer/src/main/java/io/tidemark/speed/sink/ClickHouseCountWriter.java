package io.tidemark.speed.sink;

import io.tidemark.speed.SpeedMetrics;
import io.tidemark.speed.count.CountUpdate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Writer of {@link ClickHouseCountSink}.
 *
 * <p>The task thread collects the newest update per cell; a batch is handed to one background
 * thread that writes it (with retries) while the task thread goes on counting, so the ClickHouse
 * round trip overlaps with processing. At most one batch is in flight: handing over the next one
 * waits for the previous, which is how a slow or absent ClickHouse backpressures the job. {@link
 * #flush} (at every checkpoint barrier) writes what is pending and waits until nothing is in
 * flight, so a completed checkpoint covers only written counts. A batch that failed for good fails
 * the next call on the task thread.
 */
final class ClickHouseCountWriter implements SinkWriter<CountUpdate> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCountWriter.class);

  private record Cell(String key, long windowStart) {}

  private final ClickHouseCountSink sink;
  private final CountStore store;
  private final ProcessingTimeService time;
  private final ExecutorService io;
  private Map<Cell, CountUpdate> pending;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  private final Counter rowsWritten;
  private final Counter insertErrors;
  private final Histogram freshness;
  private volatile long lastInsertMillis;
  private volatile int inFlightRows;
  private boolean closed;

  ClickHouseCountWriter(ClickHouseCountSink sink, CountStore store, WriterInitContext context) {
    this(sink, store, context.getProcessingTimeService(), context.metricGroup());
  }

  ClickHouseCountWriter(
      ClickHouseCountSink sink, CountStore store, ProcessingTimeService time, MetricGroup metrics) {
    this.sink = sink;
    this.store = store;
    this.time = time;
    this.pending = newPending();
    this.io =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "clickhouse-writer-" + sink.metric);
              t.setDaemon(true);
              return t;
            });
    MetricGroup group = metrics.addGroup(SpeedMetrics.GROUP);
    rowsWritten = group.counter(SpeedMetrics.CLICKHOUSE_ROWS);
    group.meter(SpeedMetrics.CLICKHOUSE_ROWS_RATE, new MeterView(rowsWritten));
    insertErrors = group.counter(SpeedMetrics.CLICKHOUSE_ERRORS);
    group.gauge(SpeedMetrics.CLICKHOUSE_PENDING, (Gauge<Integer>) () -> pending.size() + inFlightRows);
    group.gauge(SpeedMetrics.CLICKHOUSE_LAST_INSERT_MS, (Gauge<Long>) () -> lastInsertMillis);
    freshness = group.histogram(SpeedMetrics.FRESHNESS_MS, new DescriptiveStatisticsHistogram(10_000));
    if (time != null) {
      scheduleFlush();
    }
  }

  private Map<Cell, CountUpdate> newPending() {
    return new HashMap<>(Math.min(sink.batchSize, 1 << 16) * 4 / 3 + 1);
  }

  private void scheduleFlush() {
    time.registerTimer(
        time.getCurrentProcessingTime() + sink.flushIntervalMs,
        t -> {
          if (!closed) {
            handOver();
            scheduleFlush();
          }
        });
  }

  @Override
  public void write(CountUpdate update, Context context) throws IOException, InterruptedException {
    // Updates of one cell arrive in count order from one keyed subtask: the newest replaces.
    pending.put(new Cell(update.key(), update.windowStart()), update);
    if (pending.size() >= sink.batchSize) {
      handOver();
    }
  }

  /** Called by Flink before every checkpoint barrier and at end of input: returns once all is written. */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    handOver();
    awaitInFlight();
    if (endOfInput) {
      LOG.info("ClickHouse {} {}{}", sink.metric, ClickHouseCountSink.DRAINED_MARKER, System.currentTimeMillis());
    }
  }

  int pendingCount() {
    return pending.size();
  }

  /** Waits for the batch in flight, then starts writing the pending one. */
  void handOver() throws IOException, InterruptedException {
    awaitInFlight();
    if (pending.isEmpty()) {
      return;
    }
    List<CountUpdate> batch = new ArrayList<>(pending.values());
    pending = newPending();
    inFlightRows = batch.size();
    inFlight = CompletableFuture.runAsync(() -> write(batch), io);
  }

  private void awaitInFlight() throws IOException, InterruptedException {
    try {
      inFlight.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
      if (c instanceof UncheckedIOException u) {
        throw u.io;
      }
      throw new IOException(c);
    } finally {
      inFlightRows = 0;
    }
  }

  /** IOException across the executor boundary. */
  private static final class UncheckedIOException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final IOException io;

    UncheckedIOException(IOException io) {
      super(io);
      this.io = io;
    }
  }

  private void write(List<CountUpdate> batch) {
    long now = System.currentTimeMillis();
    List<CountStore.Row> rows = new ArrayList<>(batch.size());
    for (CountUpdate u : batch) {
      rows.add(new CountStore.Row(u.key(), u.windowStart(), u.count(), u.version(), now));
    }
    try {
      writeWithRetries(rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("Interrupted while writing to ClickHouse", e));
    }
    long written = System.currentTimeMillis();
    synchronized (freshness) {
      for (CountUpdate u : batch) {
        freshness.update(written - u.latestEventTime());
      }
    }
    rowsWritten.inc(rows.size());
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
  public void close() throws Exception {
    closed = true;
    io.shutdownNow();
    store.close();
  }
}
