package io.tidemark.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.lake.connect.RowMapper;
import io.tidemark.lake.table.PageViewTable;
import io.tidemark.lake.table.TidemarkJdbcCatalog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterFloorTest {
  private static final long NOW = 1_764_000_000_000L; // 2025-11-24T16:00:00Z
  private static final long DAY_MS = 86_400_000L;

  @TempDir Path dir;

  private JdbcCatalog open() {
    return io.tidemark.lake.table.LocalCatalogs.sqlite(dir, Map.of());
  }

  /** 10,000 records over two event days, every 100th without a timestamp (null partition). */
  private static List<Record> records(Table table) {
    RowMapper mapper = new RowMapper();
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String json = i % 100 == 99 ? "{\"event_id\":\"e" + i + "\"}"
          : "{\"event_id\":\"e" + i + "\",\"user_id\":\"u" + (i % 7) + "\",\"page_url\":\"/p\",\"timestamp\":"
              + (NOW - (i % 2) * DAY_MS) + "}";
      records.add(WriterFloor.icebergRecord(table.schema(),
          mapper.map(json.getBytes(StandardCharsets.UTF_8), "events", i % 4, i / 4, NOW, NOW)));
    }
    return records;
  }

  @Test
  void twoThreadsCommitEveryRecordOnceInOneAppend() throws Exception {
    try (JdbcCatalog catalog = open()) {
      Table table = PageViewTable.createIfMissing(catalog, PageViewTable.identifier("lake", "floor"), 1 << 20);
      WriterFloor.Result result = WriterFloor.write(table, Map.of(), records(table), 2);

      assertThat(result.records()).isEqualTo(10_000);
      assertThat(result.threads()).isEqualTo(2);
      // each thread's share holds both days and the null partition: one file per partition each
      assertThat(result.dataFiles()).isEqualTo(6);
      assertThat(result.recordsPerSecond()).isPositive();
      assertThat(result.writerCpuNanos()).isPositive();
      assertThat(result.closeNanos()).isPositive().isLessThan(result.nanos());
      assertThat(result.commitNanos()).isPositive().isLessThan(result.nanos());
      table.refresh();
      assertThat(table.snapshots()).hasSize(1);
      assertThat(table.currentSnapshot().summary())
          .containsEntry("added-records", "10000")
          .containsEntry("added-data-files", "6")
          .containsEntry("changed-partition-count", "3");
      Set<String> eventIds = new HashSet<>();
      int invalid = 0;
      try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
        for (Record r : rows) {
          eventIds.add((String) r.getField(PageViewTable.EVENT_ID));
          if (!(Boolean) r.getField(PageViewTable.VALID)) {
            invalid++;
            assertThat(r.getField(PageViewTable.EVENT_TIME)).isNull();
            assertThat(r.getField(PageViewTable.RAW_PAYLOAD)).isInstanceOf(ByteBuffer.class);
          }
        }
      }
      assertThat(eventIds).hasSize(10_000);
      assertThat(invalid).isEqualTo(100);
    }
  }

  @Test
  void theSinksWritePropertiesOverrideTheTables() throws Exception {
    try (JdbcCatalog catalog = open()) {
      Table table = PageViewTable.createIfMissing(catalog, PageViewTable.identifier("lake", "floor"), 1 << 20);
      assertThat(codecs(table)).isEmpty();
      WriterFloor.write(table, Map.of(), records(table), 1);
      assertThat(codecs(table)).containsExactly(CompressionCodecName.ZSTD);

      Table other = PageViewTable.createIfMissing(catalog, PageViewTable.identifier("lake", "floor_snappy"), 1 << 20);
      WriterFloor.write(other, Map.of(TableProperties.PARQUET_COMPRESSION, "snappy"), records(other), 1);
      assertThat(codecs(other)).containsExactly(CompressionCodecName.SNAPPY);
    }
  }

  /** Compression codecs of every column chunk of the table's files. */
  private static Set<CompressionCodecName> codecs(Table table) throws Exception {
    table.refresh();
    Set<CompressionCodecName> codecs = new HashSet<>();
    if (table.currentSnapshot() == null) {
      return codecs;
    }
    for (DataFile f : table.currentSnapshot().addedDataFiles(table.io())) {
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
          new org.apache.hadoop.fs.Path(f.location()), new org.apache.hadoop.conf.Configuration()))) {
        reader.getFooter().getBlocks().forEach(b -> b.getColumns().forEach(c -> codecs.add(c.getCodec())));
      }
    }
    return codecs;
  }

  @Test
  void warmUpWritesButCommitsNothingAndDeletesItsFiles() throws Exception {
    try (JdbcCatalog catalog = open()) {
      Table table = PageViewTable.createIfMissing(catalog, PageViewTable.identifier("lake", "floor"), 1 << 20);
      WriterFloor.warmUp(table, Map.of(), records(table), 2);

      table.refresh();
      assertThat(table.snapshots()).isEmpty();
      Path data = Path.of(java.net.URI.create(table.location())).resolve("data");
      try (var files = java.nio.file.Files.walk(data)) {
        assertThat(files.filter(f -> f.toString().endsWith(".parquet"))).isEmpty();
      }
    }
  }

  @Test
  void rejectsNoThreads() {
    assertThatThrownBy(() -> WriterFloor.write(null, Map.of(), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Writer floor needs at least one thread, got 0");
  }

  @Test
  void rejectsAColumnTheTableDoesNotHave() {
    assertThatThrownBy(() -> WriterFloor.icebergRecord(PageViewTable.SCHEMA, Map.of("no_such_column", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
