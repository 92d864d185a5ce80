package io.tidemark.speed.count;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.DedupRule;
import io.tidemark.speed.SpeedLayerJob;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class WindowCountFunctionTest {
  static final long T0 = 1_764_000_000_000L; // a window start (divisible by 60000)
  static final Duration OOO = Duration.ofSeconds(5);
  static final Duration LATENESS = Duration.ofMinutes(2);

  static PageViewEvent ev(String id, String user, String page, long ts) {
    return new PageViewEvent(id, user, page, ts);
  }

  static KeyedOneInputStreamOperatorTestHarness<String, PageViewEvent, CountUpdate> userHarness()
      throws Exception {
    var h = unopenedUserHarness();
    h.open();
    return h;
  }

  /** A harness not yet initialized, for restoring a snapshot. */
  static KeyedOneInputStreamOperatorTestHarness<String, PageViewEvent, CountUpdate> unopenedUserHarness()
      throws Exception {
    WindowCountFunction f =
        new WindowCountFunction(CountMetric.USER, true, OOO, LATENESS, SpeedLayerJob.LATE, SpeedLayerJob.COUNTED);
    return new KeyedOneInputStreamOperatorTestHarness<>(new WindowCountOperator(f), PageViewEvent::userId, Types.STRING);
  }

  static void send(KeyedOneInputStreamOperatorTestHarness<String, PageViewEvent, CountUpdate> h, PageViewEvent e)
      throws Exception {
    h.processElement(e, e.timestamp());
  }

  static List<Long> counts(List<CountUpdate> updates) {
    return updates.stream().map(CountUpdate::count).toList();
  }

  @Test
  void emitsTheNewCountOfTheWindowOnEveryEvent() throws Exception {
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 59_999));
      send(h, ev("c", "u1", "/p", T0 + 60_000));
      send(h, ev("d", "u2", "/p", T0 + 5));
      List<CountUpdate> out = h.extractOutputValues();
      assertThat(out)
          .extracting(CountUpdate::key, CountUpdate::windowStart, CountUpdate::count)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("u1", T0, 1L),
              org.assertj.core.groups.Tuple.tuple("u1", T0, 2L),
              org.assertj.core.groups.Tuple.tuple("u1", T0 + 60_000, 1L),
              org.assertj.core.groups.Tuple.tuple("u2", T0, 1L));
      assertThat(h.getSideOutput(SpeedLayerJob.COUNTED)).hasSize(4);
    }
  }

  @Test
  void countsARedeliveredEventOnce() throws Exception {
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 2));
      send(h, ev("a", "u1", "/other", T0 + 3));
      assertThat(counts(h.extractOutputValues())).containsExactly(1L, 2L);
      assertThat(h.getSideOutput(SpeedLayerJob.COUNTED)).hasSize(2);
    }
  }

  @Test
  void allowedLateEventUpdatesTheClosedWindow() throws Exception {
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      // window [T0, T0+60s) closed; still within 2 min of allowed lateness
      h.processWatermark(T0 + 60_000 + 119_998);
      send(h, ev("b", "u1", "/p", T0 + 30_000));
      assertThat(counts(h.extractOutputValues())).containsExactly(1L, 2L);
      assertThat(h.getSideOutput(SpeedLayerJob.LATE)).isNull();
    }
  }

  @Test
  void eventLaterThanAllowedLatenessGoesToTheLateOutputUncounted() throws Exception {
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      // Flink's rule: maxTimestamp (T0+59999) + lateness (120000) <= watermark -> late
      h.processWatermark(T0 + 59_999 + 120_000);
      send(h, ev("b", "u1", "/p", T0 + 30_000));
      assertThat(counts(h.extractOutputValues())).containsExactly(1L);
      assertThat(h.getSideOutput(SpeedLayerJob.LATE))
          .extracting(StreamRecord::getValue)
          .extracting(PageViewEvent::eventId)
          .containsExactly("b");
    }
  }

  @Test
  void forgetsEventIdsAndCountsOnlyAfterTheDedupRetention() throws Exception {
    long retention = DedupRule.retentionFor(OOO, LATENESS).toMillis();
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      h.processWatermark(T0 + 60_000 + retention - 1);
      assertThat(h.numKeyedStateEntries()).isPositive();
      h.processWatermark(T0 + 60_000 + retention);
      assertThat(h.numKeyedStateEntries()).isZero();
      // a redelivery now is far too late: it goes to the late output, not into a new count
      send(h, ev("a", "u1", "/p", T0 + 1));
      assertThat(counts(h.extractOutputValues())).containsExactly(1L);
      assertThat(h.getSideOutput(SpeedLayerJob.LATE)).hasSize(1);
    }
  }

  @Test
  void expiresEachWindowOnItsOwnWithoutTimers() throws Exception {
    long retention = DedupRule.retentionFor(OOO, LATENESS).toMillis();
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 60_001)); // u1's second window
      send(h, ev("c", "u2", "/p", T0 + 60_002));
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(pending(h)).isEqualTo(3);
      h.processWatermark(T0 + 60_000 + retention);
      // u1's first window is gone, its second and u2's stay
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(pending(h)).isEqualTo(2);
      assertThat(windowsOf(h, "u1")).containsExactly(T0 + 60_000);
      assertThat(counts(h.extractOutputValues())).containsExactly(1L, 1L, 1L);
      h.processWatermark(T0 + 120_000 + retention);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(pending(h)).isZero();
    }
  }

  @Test
  void rebuildsTheExpiryIndexFromRestoredStateAndExpiresAfterARestore() throws Exception {
    long retention = DedupRule.retentionFor(OOO, LATENESS).toMillis();
    OperatorSubtaskState snapshot;
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 60_001));
      send(h, ev("c", "u2", "/p", T0 + 2));
      snapshot = h.snapshot(1, 1);
    }
    try (var restored = unopenedUserHarness()) {
      restored.initializeState(snapshot);
      restored.open();
      assertThat(pending(restored)).isEqualTo(3);
      send(restored, ev("a", "u1", "/p", T0 + 1)); // replayed duplicate: remembered across the restore
      assertThat(restored.extractOutputValues()).isEmpty();
      restored.processWatermark(T0 + 60_000 + retention);
      assertThat(restored.numKeyedStateEntries()).isEqualTo(1);
      restored.processWatermark(T0 + 120_000 + retention);
      assertThat(restored.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void rebuildsTheExpiryIndexFromRocksDbStateToo() throws Exception {
    long retention = DedupRule.retentionFor(OOO, LATENESS).toMillis();
    OperatorSubtaskState snapshot;
    try (var h = unopenedUserHarness()) {
      h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
      h.open();
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 60_001));
      send(h, ev("c", "u2", "/p", T0 + 2));
      snapshot = h.snapshot(1, 1);
    }
    try (var restored = unopenedUserHarness()) {
      restored.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
      restored.initializeState(snapshot);
      restored.open();
      assertThat(pending(restored)).isEqualTo(3);
      send(restored, ev("c", "u2", "/p", T0 + 2)); // remembered across the restore
      assertThat(restored.extractOutputValues()).isEmpty();
      restored.processWatermark(T0 + 60_000 + retention);
      assertThat(pending(restored)).isEqualTo(1);
      assertThat(windowsOf(restored, "u1")).containsExactly(T0 + 60_000);
      assertThat(windowsOf(restored, "u2")).isEmpty();
      restored.processWatermark(T0 + 120_000 + retention);
      assertThat(pending(restored)).isZero();
      assertThat(windowsOf(restored, "u1")).isEmpty();
    }
  }

  @Test
  void changesAfterASnapshotStartedStayOutOfItOnTheHeapBackend() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u1", "/p", T0 + 2));
      WindowCountOperator op = (WindowCountOperator) h.getOneInputOperator();
      assertThat(op.<String>getKeyedStateBackend()).isInstanceOf(org.apache.flink.runtime.state.heap.HeapKeyedStateBackend.class);
      var backend = (org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<String>) op.<String>getKeyedStateBackend();
      // the synchronous part of a checkpoint; its asynchronous write runs later, as in a real job
      java.util.concurrent.RunnableFuture<org.apache.flink.runtime.state.SnapshotResult<org.apache.flink.runtime.state.KeyedStateHandle>> write =
          backend.snapshot(
              1L,
              1L,
              new org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory(1 << 20),
              org.apache.flink.runtime.checkpoint.CheckpointOptions.forCheckpointWithDefaultLocation());
      send(h, ev("c", "u1", "/p", T0 + 3)); // changes the cells in place while the write is pending
      send(h, ev("d", "u1", "/p", T0 + 60_001));
      write.run();
      assertThat(counts(h.extractOutputValues())).containsExactly(1L, 2L, 3L, 1L);
      assertThat(windowsOf(h, "u1")).containsExactlyInAnyOrder(T0, T0 + 60_000);
      snapshot = OperatorSubtaskState.builder().setManagedKeyedState(write.get().getJobManagerOwnedSnapshot()).build();
    }
    try (var restored = unopenedUserHarness()) {
      restored.initializeState(snapshot);
      restored.open();
      assertThat(windowsOf(restored, "u1")).containsExactly(T0);
      send(restored, ev("b", "u1", "/p", T0 + 2)); // in the snapshot: a duplicate
      send(restored, ev("c", "u1", "/p", T0 + 3)); // not in it: counted as the window's third
      assertThat(counts(restored.extractOutputValues())).containsExactly(3L);
    }
  }

  /** The window starts held in {@code key}'s state, read through the operator's state backend. */
  static List<Long> windowsOf(KeyedOneInputStreamOperatorTestHarness<String, PageViewEvent, CountUpdate> h, String key)
      throws Exception {
    WindowCountOperator op = (WindowCountOperator) h.getOneInputOperator();
    op.setCurrentKey(key);
    WindowCells cells = ((WindowCountFunction) op.getUserFunction()).currentCells();
    List<Long> starts = new java.util.ArrayList<>();
    for (int i = 0; cells != null && i < cells.size(); i++) {
      starts.add(cells.windowStartAt(i));
    }
    return starts;
  }

  static long pending(KeyedOneInputStreamOperatorTestHarness<String, PageViewEvent, CountUpdate> h) {
    return ((WindowCountFunction) ((WindowCountOperator) h.getOneInputOperator()).getUserFunction()).pendingExpiries();
  }

  @Test
  void versionsGrowWithTheCountAndEveryRestoreBeatsTheIncarnationBefore() throws Exception {
    OperatorSubtaskState snapshot;
    long versionBeforeCrash;
    try (var h = userHarness()) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      snapshot = h.snapshot(1, 1);
      send(h, ev("b", "u1", "/p", T0 + 2));
      send(h, ev("c", "u1", "/p", T0 + 3));
      List<CountUpdate> out = h.extractOutputValues();
      assertThat(out).extracting(CountUpdate::version).isSorted().doesNotHaveDuplicates();
      versionBeforeCrash = out.get(out.size() - 1).version();
    }
    try (var restored = unopenedUserHarness()) {
      restored.initializeState(snapshot);
      restored.open();
      send(restored, ev("b", "u1", "/p", T0 + 2)); // replayed after the checkpoint
      CountUpdate replayed = restored.extractOutputValues().get(0);
      assertThat(replayed.count()).isEqualTo(2);
      assertThat(replayed.version()).isGreaterThan(versionBeforeCrash);
      assertThat(replayed.version()).isLessThan(io.tidemark.schema.clickhouse.CountVersions.BATCH_BASE);
    }
  }

  @Test
  void afterARestoreEventsTooLateBeforeTheCrashAreStillLate() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = userHarness()) {
      h.processWatermark(T0 + 600_000);
      send(h, ev("x", "u1", "/p", T0 + 600_001));
      snapshot = h.snapshot(1, 1);
    }
    try (var restored = unopenedUserHarness()) {
      restored.initializeState(snapshot);
      restored.open();
      // Flink restarts the watermark from nothing; the restored one still applies
      send(restored, ev("old", "u1", "/p", T0 + 1));
      assertThat(restored.extractOutputValues()).isEmpty();
      assertThat(restored.getSideOutput(SpeedLayerJob.LATE)).hasSize(1);
    }
  }

  @Test
  void pageMetricCountsWithoutDedup() throws Exception {
    WindowCountFunction f =
        new WindowCountFunction(CountMetric.PAGE, false, OOO, LATENESS, SpeedLayerJob.LATE, null);
    try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(f, PageViewEvent::pageUrl, Types.STRING)) {
      send(h, ev("a", "u1", "/p", T0 + 1));
      send(h, ev("b", "u2", "/p", T0 + 2));
      send(h, ev("c", "u2", "/q", T0 + 3));
      assertThat(h.extractOutputValues())
          .extracting(CountUpdate::key, CountUpdate::count)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("/p", 1L),
              org.assertj.core.groups.Tuple.tuple("/p", 2L),
              org.assertj.core.groups.Tuple.tuple("/q", 1L));
    }
  }
}
