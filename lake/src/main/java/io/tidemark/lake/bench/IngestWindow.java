package io.tidemark.lake.bench;

import io.tidemark.lake.table.PageViewTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * When the worker processed the rows of a throughput run, from their {@code ingest_time} (set by
 * the transform, just before the sink writes the row): the archive's processing rate without the
 * commit cadence in it. Commit times alone quantise the rate by the commit interval: a backlog
 * drained in 4 s with a 3 s interval shows up as 6 s, or as a single commit with no rate at all.
 *
 * <p>The steady window starts at the newest row of the first commit (which also holds the worker's
 * start and JIT warm-up) and ends at the newest row of all. When the first commit holds half the
 * rows or more, the window is every row's span instead, warm-up included.
 *
 * @param firstCommitRows rows of the first commit, left out of the steady window
 * @param windowRows rows processed inside the window
 * @param windowMillis length of the window
 */
record IngestWindow(long firstCommitRows, long windowRows, long windowMillis) {

  double recordsPerSecond() {
    return windowRows * 1000.0 / Math.max(1, windowMillis);
  }

  /** Reads the ingest time of every row of the table's current snapshot. */
  static IngestWindow read(Table table, Snapshot firstCommit) {
    table.refresh();
    long firstRows = Long.parseLong(firstCommit.summary().get("added-records"));
    Span first = new Span();
    Span all = new Span();
    Schema projection = table.schema().select(PageViewTable.INGEST_TIME);
    for (Snapshot s : table.snapshots()) {
      for (DataFile f : s.addedDataFiles(table.io())) {
        try (CloseableIterable<Record> rows = Parquet.read(table.io().newInputFile(f.location())).project(projection)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(projection, fs)).build()) {
          for (Record r : rows) {
            long ms = ((OffsetDateTime) r.getField(PageViewTable.INGEST_TIME)).toInstant().toEpochMilli();
            all.add(ms);
            if (s.snapshotId() == firstCommit.snapshotId()) {
              first.add(ms);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (firstRows * 2 < all.count) {
      return new IngestWindow(firstRows, all.count - firstRows, all.max - first.max);
    }
    return new IngestWindow(firstRows, all.count, all.max - all.min);
  }

  private static final class Span {
    long count;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;

    void add(long ms) {
      count++;
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
  }
}
