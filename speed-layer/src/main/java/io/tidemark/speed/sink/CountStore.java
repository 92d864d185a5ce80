package io.tidemark.speed.sink;

import io.tidemark.core.metric.CountMetric;
import java.io.Serializable;
import java.util.Collection;

/**
 * Where the speed layer's counts are stored: one row per changed window, with a version; the
 * store keeps the row with the highest version per (key, window_start).
 *
 * <p>{@link #write} is idempotent: writing the same rows again (a retry after a timeout whose
 * outcome is unknown, or a replay after a restore) leaves the same values. A failed write leaves
 * any subset of the rows stored; the caller retries the whole batch.
 */
public interface CountStore extends AutoCloseable {

  /** One row of a store table. */
  record Row(String key, long windowStart, long count, long version, long writtenAtMs) {}

  /**
   * Writes rows of one metric.
   *
   * @throws CountStoreException with {@link CountStoreException#isRetryable()} telling whether the
   *     same write can succeed later (server down, timeout) or never will (missing table, bad
   *     credentials)
   */
  void write(CountMetric metric, Collection<Row> rows) throws CountStoreException;

  @Override
  void close();

  /** Opens stores on the task managers; serializable so that it travels with the job graph. */
  interface Factory extends Serializable {
    CountStore open();
  }
}
