package io.tidemark.lake.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TidemarkJdbcCatalogTest {
  @TempDir Path dir;

  private JdbcCatalog open() {
    return LocalCatalogs.sqlite(dir, Map.of("jdbc.journal_mode", "WAL"));
  }

  @Test
  void aSecondCatalogOnTheSameSqliteFileSeesEveryCommitOfTheFirst() throws Exception {
    TableIdentifier id = PageViewTable.identifier("lake", "events");
    try (JdbcCatalog writer = open(); JdbcCatalog reader = open()) {
      Table w = PageViewTable.createIfMissing(writer, id, 1 << 20);
      Table r = reader.loadTable(id);
      for (int i = 1; i <= 3; i++) {
        w.newAppend().commit();
        // both pooled connections of the reader must see the commit, whichever serves the refresh
        r.refresh();
        r.refresh();
        assertThat(r.currentSnapshot()).as("after commit %d", i).isNotNull();
        assertThat(r.currentSnapshot().snapshotId()).isEqualTo(w.currentSnapshot().snapshotId());
      }
    }
  }

  @Test
  void createIfMissingIsIdempotent() throws Exception {
    TableIdentifier id = PageViewTable.identifier("lake", "events");
    try (JdbcCatalog c = open()) {
      Table a = PageViewTable.createIfMissing(c, id, 1 << 20);
      Table b = PageViewTable.createIfMissing(c, id, 1 << 20);
      assertThat(b.uuid()).isEqualTo(a.uuid());
      assertThat(b.spec().fields()).hasSize(1);
      assertThat(b.spec().fields().get(0).transform().toString()).isEqualTo("day");
    }
  }
}
