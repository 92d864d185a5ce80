package io.tidemark.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.table.ArchiveImporter;
import io.tidemark.lake.table.LakeCatalog;
import io.tidemark.lake.table.PageViewTable;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lake import} against the real catalog and object store. */
class ImportIT {
  @TempDir Path dir;

  @Test
  void importingTheSameFileTwiceAddsItsRowsOnceAndReportsMalformedLines() throws Exception {
    TidemarkConfig cfg = TestServices.get(Service.S3, Service.CATALOG).config()
        .with(LakeArchiveOptions.TABLE, "import_it_" + UUID.randomUUID().toString().substring(0, 6));
    Path jsonl = dir.resolve("history.jsonl");
    Files.writeString(jsonl, String.join("\n",
        "{\"event_id\":\"h1\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":1700000000000}",
        "",
        "{\"event_id\":\"h2\",\"user_id\":\"\",\"page_url\":\"/b\",\"timestamp\":1700000001000}",
        "{broken",
        "{\"event_id\":\"h3\",\"user_id\":\"u3\",\"page_url\":\"/c\",\"timestamp\":1700086400000,\"campaign\":\"spring\"}",
        ""));
    Path csv = dir.resolve("history.csv");
    Files.writeString(csv, "event_id,user_id,page_url,timestamp\nc1,u1,\"/a,b\",1700000000000\nc2,u2,/b,soon\n");
    Path copy = dir.resolve("same-content-other-name.jsonl");
    Files.copy(jsonl, copy);

    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      Table table = PageViewTable.createIfMissing(catalog,
          PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)), 1 << 20);
      ArchiveImporter importer = new ArchiveImporter(table, 1 << 20);

      ArchiveImporter.FileResult first = importer.importFile(jsonl, null);
      assertThat(first.alreadyImported()).isFalse();
      assertThat(first.rows()).isEqualTo(4);
      assertThat(first.valid()).isEqualTo(2);
      assertThat(first.blankLines()).isEqualTo(1);
      assertThat(first.rejected()).extracting(ArchiveImporter.Rejected::line, ArchiveImporter.Rejected::reason)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, "empty-field"), org.assertj.core.groups.Tuple.tuple(4L, "not-json"));

      assertThat(importer.importFile(jsonl, null).alreadyImported()).isTrue();
      assertThat(importer.importFile(copy, null).alreadyImported()).isTrue();
      ArchiveImporter.FileResult fromCsv = importer.importFile(csv, null);
      assertThat(fromCsv.rows()).isEqualTo(2);
      assertThat(fromCsv.rejected()).extracting(ArchiveImporter.Rejected::line).containsExactly(3L);

      List<LakeTestSupport.Row> rows = LakeTestSupport.readRows(table);
      assertThat(rows).hasSize(6);
      assertThat(rows).extracting(LakeTestSupport.Row::eventId).containsExactlyInAnyOrder("h1", "h2", null, "h3", "c1", "c2");
      table.refresh();
      assertThat(table.schema().findField("campaign")).isNotNull();
      assertThat(table.spec().fields()).hasSize(1);
    }
  }

  @Test
  void importsParquetByColumnName() throws Exception {
    TidemarkConfig cfg = TestServices.get(Service.S3, Service.CATALOG).config()
        .with(LakeArchiveOptions.TABLE, "import_pq_it_" + UUID.randomUUID().toString().substring(0, 6));
    org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"PageView\",\"fields\":["
            + "{\"name\":\"page_url\",\"type\":[\"null\",\"string\"]},"
            + "{\"name\":\"event_id\",\"type\":[\"null\",\"string\"]},"
            + "{\"name\":\"user_id\",\"type\":[\"null\",\"string\"]},"
            + "{\"name\":\"timestamp\",\"type\":[\"null\",\"long\"]},"
            + "{\"name\":\"ignored\",\"type\":[\"null\",\"int\"]}]}");
    Path parquet = dir.resolve("history.parquet");
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.avro.generic.GenericRecord> w =
        org.apache.parquet.avro.AvroParquetWriter.<org.apache.avro.generic.GenericRecord>builder(
            new org.apache.parquet.io.LocalOutputFile(parquet)).withSchema(avro).build()) {
      String[][] rows = {{"p1", "u1", "/a"}, {"p2", "", "/b"}, {"p3", "u3", "/c"}};
      for (String[] r : rows) {
        org.apache.avro.generic.GenericRecord g = new org.apache.avro.generic.GenericData.Record(avro);
        g.put("event_id", r[0]);
        g.put("user_id", r[1]);
        g.put("page_url", r[2]);
        g.put("timestamp", 1700000000000L);
        g.put("ignored", 7);
        w.write(g);
      }
    }
    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      Table table = PageViewTable.createIfMissing(catalog,
          PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)), 1 << 20);
      ArchiveImporter importer = new ArchiveImporter(table, 1 << 20);
      ArchiveImporter.FileResult r = importer.importFile(parquet, null);
      assertThat(r.rows()).isEqualTo(3);
      assertThat(r.valid()).isEqualTo(2);
      assertThat(r.rejected()).extracting(ArchiveImporter.Rejected::line, ArchiveImporter.Rejected::reason)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, "empty-field"));
      assertThat(importer.importFile(parquet, null).alreadyImported()).isTrue();
      assertThat(LakeTestSupport.readRows(table)).extracting(LakeTestSupport.Row::eventId).containsExactlyInAnyOrder("p1", "p2", "p3");
    }
  }
}
