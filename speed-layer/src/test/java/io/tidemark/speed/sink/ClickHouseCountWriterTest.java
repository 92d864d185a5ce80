package io.tidemark.speed.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.metric.CountMetric;
import io.tidemark.speed.count.CountUpdate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ClickHouseCountWriterTest {
  /** Fake store: records writes, fails the first {@code failures} ones. */
  static final class FakeStore implements CountStore {
    final List<List<Row>> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile int failures;
    volatile boolean retryable = true;

    @Override
    public void write(CountMetric metric, Collection<Row> rows) throws CountStoreException {
      if (failures > 0) {
        failures--;
        throw new CountStoreException("ClickHouse down", retryable, null);
      }
      writes.add(List.copyOf(rows));
    }

    @Override
    public void close() {}
  }

  static ClickHouseCountWriter writer(FakeStore store, int batchSize, int maxRetries) {
    ClickHouseCountSink sink =
        ClickHouseCountSink.builder()
            .metric(CountMetric.USER)
            .store(() -> store)
            .batchSize(batchSize)
            .maxRetries(maxRetries)
            .retryBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(2))
            .build();
    return new ClickHouseCountWriter(sink, store, null, UnregisteredMetricsGroup.createSinkWriterMetricGroup());
  }

  static CountUpdate u(String key, long window, long count) {
    return new CountUpdate(key, window, count, 1000 + count, window + 1);
  }

  @Test
  void writesOnlyTheNewestCountOfEachWindowAtFlush() throws Exception {
    FakeStore store = new FakeStore();
    ClickHouseCountWriter w = writer(store, 100, 0);
    w.write(u("u1", 0, 1), null);
    w.write(u("u1", 0, 2), null);
    w.write(u("u1", 60_000, 1), null);
    w.write(u("u1", 0, 3), null);
    assertThat(store.writes).isEmpty();
    w.flush(false); // what Flink calls at every checkpoint barrier
    assertThat(store.writes).hasSize(1);
    assertThat(store.writes.get(0))
        .extracting(CountStore.Row::windowStart, CountStore.Row::count)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(0L, 3L), org.assertj.core.groups.Tuple.tuple(60_000L, 1L));
    w.flush(false);
    assertThat(store.writes).hasSize(1);
  }

  @Test
  void writesWhenTheBatchIsFull() throws Exception {
    FakeStore store = new FakeStore();
    ClickHouseCountWriter w = writer(store, 2, 0);
    w.write(u("u1", 0, 1), null);
    w.write(u("u2", 0, 1), null);
    assertThat(w.pendingCount()).isZero(); // handed to the background write
    w.flush(false);
    assertThat(store.writes).hasSize(1);
  }

  @Test
  void retriesRetryableFailuresAndKeepsTheRows() throws Exception {
    FakeStore store = new FakeStore();
    store.failures = 3;
    ClickHouseCountWriter w = writer(store, 100, 5);
    w.write(u("u1", 0, 1), null);
    w.flush(false);
    assertThat(store.writes).hasSize(1);
    assertThat(store.writes.get(0)).hasSize(1);
  }

  @Test
  void failsAfterMaxRetriesSoTheJobRestartsFromItsCheckpoint() throws Exception {
    FakeStore store = new FakeStore();
    store.failures = 10;
    ClickHouseCountWriter w = writer(store, 100, 2);
    w.write(u("u1", 0, 1), null);
    assertThatThrownBy(() -> w.flush(false))
        .isInstanceOf(IOException.class)
        .hasMessage("ClickHouse down (gave up after 2 retries)");
  }

  @Test
  void doesNotRetryPermanentFailures() throws Exception {
    FakeStore store = new FakeStore();
    store.failures = 1;
    store.retryable = false;
    ClickHouseCountWriter w = writer(store, 100, 5);
    w.write(u("u1", 0, 1), null);
    assertThatThrownBy(() -> w.flush(false)).isInstanceOf(IOException.class).hasMessage("ClickHouse down");
    assertThat(store.failures).isZero();
  }

  @Test
  void encodesRowsAsRowBinaryInColumnOrder() {
    ClickHouseCountStore.Body body =
        ClickHouseCountStore.toRowBinary(
            List.of(new CountStore.Row("/a\tb", 1_764_000_000_000L, 7, 258, 1_764_000_001_500L)));
    java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(1 + 4 + 4 + 8 + 8 + 1 + 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    expected.put((byte) 4).put("/a\tb".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // length, bytes as they are
    expected.putInt((int) 1_764_000_000L); // window_start, DateTime seconds
    expected.putLong(7).putLong(258); // count, version
    expected.put((byte) 1); // source 'speed'
    expected.putInt((int) 1_764_000_001L); // written_at, whole seconds
    assertThat(body.toByteArray()).isEqualTo(expected.array());
    assertThat(ClickHouseCountStore.columns(CountMetric.PAGE))
        .containsExactly("page_url", "window_start", "count", "version", "source", "written_at");
    assertThat(ClickHouseCountStore.storeTable(CountMetric.USER)).isEqualTo("user_page_counts_store");
  }

  @Test
  void builderNamesTheMissingProperty() {
    assertThatThrownBy(() -> ClickHouseCountSink.builder().metric(CountMetric.USER).build())
        .hasMessage("Property store is required but not provided");
  }
}
