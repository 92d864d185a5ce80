package io.tidemark.speed.count;

import io.tidemark.core.metric.Windows;
import io.tidemark.speed.SpeedMetrics;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-page 1-minute counts, keyed by page_url, summing the {@link PageDelta}s of the per-user
 * subtasks and emitting the new count of every changed window.
 *
 * <p>It judges no lateness: the per-user operator already decided which events count (and sent
 * the rest to the late topic), and {@link PageDeltaCombiner} emits its deltas before the
 * watermark that could close their window. A window is dropped once the watermark passes its end
 * plus the allowed lateness: no accepted event can arrive after that.
 */
public class PageDeltaCountFunction extends KeyedProcessFunction<String, PageDelta, CountUpdate>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  private final long allowedLatenessMs;
  private transient ValueState<WindowCells> cells;
  private transient VersionGeneration generation;
  private transient Counter counted;

  public PageDeltaCountFunction(Duration allowedLateness) {
    this.allowedLatenessMs = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    cells = getRuntimeContext().getState(new ValueStateDescriptor<>("window-cells", new WindowCellsSerializer()));
    counted = getRuntimeContext().getMetricGroup().addGroup(SpeedMetrics.GROUP).counter(SpeedMetrics.COUNTED_EVENTS);
  }

  @Override
  public void processElement(PageDelta delta, Context ctx, Collector<CountUpdate> out) throws Exception {
    WindowCells keyCells = cells.value();
    if (keyCells == null) {
      keyCells = new WindowCells();
    }
    long before = keyCells.count(delta.windowStart());
    long count = keyCells.addCount(delta.windowStart(), delta.delta());
    cells.update(keyCells);
    if (before == 0) {
      ctx.timerService().registerEventTimeTimer(cleanupTime(delta.windowStart()));
    }
    counted.inc(delta.delta());
    out.collect(new CountUpdate(ctx.getCurrentKey(), delta.windowStart(), count, generation.version(count), delta.latestEventTime()));
  }

  private long cleanupTime(long windowStart) {
    return Windows.windowEnd(windowStart) + allowedLatenessMs;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CountUpdate> out) throws Exception {
    WindowCells keyCells = cells.value();
    if (keyCells == null) {
      return;
    }
    keyCells.remove(timestamp - allowedLatenessMs - Windows.SIZE_MS);
    if (keyCells.isEmpty()) {
      cells.clear();
    } else {
      cells.update(keyCells);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    generation.snapshot();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    generation = new VersionGeneration();
    generation.initialize(context);
  }
}
