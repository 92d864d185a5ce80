package io.tidemark.speed.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.tidemark.core.event.PageViewEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The per-page path: sums per (page, window) in the per-user subtask, added up per page. */
class PageDeltaTest {
  static final long T0 = 1_764_000_000_000L;
  static final Duration LATENESS = Duration.ofMinutes(2);

  static OneInputStreamOperatorTestHarness<PageViewEvent, PageDelta> combiner(int maxCells) throws Exception {
    OneInputStreamOperatorTestHarness<PageViewEvent, PageDelta> h =
        new OneInputStreamOperatorTestHarness<>(new PageDeltaCombiner(maxCells, 100));
    h.open();
    return h;
  }

  static void send(OneInputStreamOperatorTestHarness<PageViewEvent, PageDelta> h, String page, long ts) throws Exception {
    h.processElement(new PageViewEvent("e" + ts, "u", page, ts), ts);
  }

  /** The output in order: deltas as (page, window, delta), watermarks as "W<ts>". */
  static List<Object> output(OneInputStreamOperatorTestHarness<PageViewEvent, PageDelta> h) {
    List<Object> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof Watermark w) {
        out.add("W" + w.getTimestamp());
      } else if (o instanceof StreamRecord<?> r && r.getValue() instanceof PageDelta d) {
        out.add(tuple(d.page(), d.windowStart(), d.delta()));
      }
    }
    return out;
  }

  @Test
  void sumsPerPageAndWindowAndEmitsThemBeforeTheWatermark() throws Exception {
    try (var h = combiner(1000)) {
      send(h, "/p", T0 + 1);
      send(h, "/p", T0 + 2);
      send(h, "/q", T0 + 3);
      send(h, "/p", T0 + 60_001);
      send(h, "/p", T0 + 4);
      assertThat(h.getOutput()).isEmpty();
      h.processWatermark(T0 + 200_000);
      List<Object> out = output(h);
      assertThat(out).hasSize(4);
      assertThat(out.subList(0, 3)).containsExactlyInAnyOrder(
          tuple("/p", T0, 3L), tuple("/q", T0, 1L), tuple("/p", T0 + 60_000, 1L));
      assertThat(out.get(3)).isEqualTo("W" + (T0 + 200_000));
    }
  }

  @Test
  void flushesBeforeTheCheckpointBarrierAfterTheDelayAndWhenFull() throws Exception {
    try (var h = combiner(2)) {
      send(h, "/p", T0 + 1);
      h.prepareSnapshotPreBarrier(1);
      assertThat(output(h)).containsExactly(tuple("/p", T0, 1L));
      h.getOutput().clear();

      send(h, "/p", T0 + 2);
      h.setProcessingTime(h.getProcessingTime() + 100);
      assertThat(output(h)).containsExactly(tuple("/p", T0, 1L));
      h.getOutput().clear();

      send(h, "/a", T0 + 3);
      send(h, "/b", T0 + 4); // second cell: buffer full
      assertThat(output(h)).containsExactlyInAnyOrder(tuple("/a", T0, 1L), tuple("/b", T0, 1L));
    }
  }

  @Test
  void pageCountAddsDeltasAndForgetsAWindowAfterItsLateness() throws Exception {
    try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new PageDeltaCountFunction(LATENESS), PageDelta::page, Types.STRING)) {
      h.processElement(new PageDelta("/p", T0, 3, T0 + 10), T0 + 10);
      h.processElement(new PageDelta("/q", T0, 1, T0 + 11), T0 + 11);
      h.processElement(new PageDelta("/p", T0, 2, T0 + 12), T0 + 12);
      List<CountUpdate> out = h.extractOutputValues();
      assertThat(out).extracting(CountUpdate::key, CountUpdate::count)
          .containsExactly(tuple("/p", 3L), tuple("/q", 1L), tuple("/p", 5L));
      assertThat(out.get(2).version()).isGreaterThan(out.get(0).version());
      h.processWatermark(T0 + 60_000 + LATENESS.toMillis() - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      h.processWatermark(T0 + 60_000 + LATENESS.toMillis());
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
