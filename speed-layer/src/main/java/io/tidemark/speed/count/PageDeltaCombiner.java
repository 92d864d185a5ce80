package io.tidemark.speed.count;

import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums the counted events of each (page, window) inside one per-user subtask and sends the sums
 * to the per-page count, instead of shuffling every event a second time.
 *
 * <p>Why: a page has far fewer windows than it has views, so a few hundred deltas replace
 * thousands of serialized events on the network and as many state accesses downstream. Chained to
 * the per-user operator, it sees the events the per-user count accepted, so an event counts for
 * its page exactly when it counts for its user; the lateness decision is made once.
 *
 * <p>Correctness rests on when the buffer is emitted: before every watermark it forwards (so no
 * delta arrives downstream behind a watermark that would close its window), before every
 * checkpoint barrier (so the checkpoint covers every counted event, {@link
 * #prepareSnapshotPreBarrier}), at end of input, when it holds {@code maxEntries} cells, and
 * {@code maxDelayMs} after its first buffered event (so page counts stay fresh while the
 * watermark stands still). The buffer is never part of state.
 */
public final class PageDeltaCombiner extends AbstractStreamOperator<PageDelta>
    implements OneInputStreamOperator<PageViewEvent, PageDelta> {
  private static final long serialVersionUID = 1L;

  private final int maxEntries;
  private final long maxDelayMs;
  private transient Map<Cell, long[]> buffer;
  private transient boolean flushScheduled;

  /** A (page, window) cell of the buffer. */
  private record Cell(String page, long windowStart) {}

  public PageDeltaCombiner(int maxEntries, long maxDelayMs) {
    if (maxEntries < 1 || maxDelayMs < 1) {
      throw new IllegalArgumentException("maxEntries and maxDelayMs must be positive");
    }
    this.maxEntries = maxEntries;
    this.maxDelayMs = maxDelayMs;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffer = new HashMap<>();
  }

  @Override
  public void processElement(StreamRecord<PageViewEvent> element) {
    PageViewEvent e = element.getValue();
    Cell cell = new Cell(CountMetric.PAGE.keyOf(e), Windows.windowStart(e.timestamp()));
    long[] sum = buffer.get(cell);
    if (sum == null) {
      buffer.put(cell, new long[] {1, e.timestamp()});
    } else {
      sum[0]++;
      sum[1] = Math.max(sum[1], e.timestamp());
    }
    if (buffer.size() >= maxEntries) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      long at = getProcessingTimeService().getCurrentProcessingTime() + maxDelayMs;
      getProcessingTimeService().registerTimer(at, t -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    StreamRecord<PageDelta> record = new StreamRecord<>(null);
    for (Map.Entry<Cell, long[]> e : buffer.entrySet()) {
      long[] sum = e.getValue();
      // timestamped with the newest event time, as the events themselves would have been
      output.collect(record.replace(new PageDelta(e.getKey().page(), e.getKey().windowStart(), sum[0], sum[1]), sum[1]));
    }
    buffer.clear();
  }
}
