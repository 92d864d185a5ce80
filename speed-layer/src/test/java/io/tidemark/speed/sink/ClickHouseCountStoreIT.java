package io.tidemark.speed.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The count store's RowBinary inserts read back from a real ClickHouse, value for value. */
class ClickHouseCountStoreIT {

  @Test
  void everyKeyAndValueReadsBackAsWritten() throws Exception {
    TidemarkConfig cfg = TestServices.get(Service.KAFKA, Service.CLICKHOUSE).config()
        .with(ClickHouseOptions.DATABASE, "countstore_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8));
    Migrations.run(cfg);
    // keys TabSeparated had to escape, non-ASCII, empty, and one longer than 127 bytes (two-byte length)
    List<String> keys = List.of("plain", "tab\there", "new\nline", "back\\slash", "ünïcødé-页面-🙂", "", "k".repeat(300));
    List<CountStore.Row> rows = new ArrayList<>();
    long window = 1_764_000_000_000L;
    for (int i = 0; i < keys.size(); i++) {
      rows.add(new CountStore.Row(keys.get(i), window + i * 60_000L, 1_000_000_007L + i, (1L << 40) + i, 1_764_000_123_456L));
    }
    try (CountStore store = ClickHouseCountStore.builder().url(cfg.require(ClickHouseOptions.URL))
            .database(cfg.get(ClickHouseOptions.DATABASE)).user(cfg.get(ClickHouseOptions.USER))
            .password(cfg.get(ClickHouseOptions.PASSWORD)).build().open();
        ClickHouseSql sql = ClickHouseClients.connect(cfg)) {
      store.write(CountMetric.PAGE, rows);
      String table = cfg.get(ClickHouseOptions.DATABASE) + ".page_view_counts_store";
      for (CountStore.Row r : rows) {
        Map<String, String> p = Map.of("k", r.key());
        assertThat(sql.queryLong("SELECT count() FROM " + table + " WHERE page_url = {k:String}", p)).as(r.key()).isEqualTo(1);
        assertThat(sql.queryLong("SELECT toUInt64(window_start) FROM " + table + " WHERE page_url = {k:String}", p))
            .isEqualTo(r.windowStart() / 1000);
        assertThat(sql.queryLong("SELECT count FROM " + table + " WHERE page_url = {k:String}", p)).isEqualTo(r.count());
        assertThat(sql.queryLong("SELECT version FROM " + table + " WHERE page_url = {k:String}", p)).isEqualTo(r.version());
        assertThat(sql.queryLong("SELECT toUInt64(written_at) FROM " + table + " WHERE page_url = {k:String}", p))
            .isEqualTo(1_764_000_123L);
        assertThat(sql.queryLong("SELECT count() FROM " + table + " WHERE page_url = {k:String} AND source = 'speed'", p))
            .isEqualTo(1);
      }
      assertThat(sql.queryLong("SELECT count() FROM " + table, Map.of())).isEqualTo(keys.size());

      // a missing table is a permanent error with the table's name, not a retry loop
      assertThatThrownBy(() -> ClickHouseCountStore.builder().url(cfg.require(ClickHouseOptions.URL))
              .database("no_such_database_here").user(cfg.get(ClickHouseOptions.USER))
              .password(cfg.get(ClickHouseOptions.PASSWORD)).build().open().write(CountMetric.PAGE, rows))
          .isInstanceOfSatisfying(CountStoreException.class, e -> assertThat(e.isRetryable()).isFalse())
          .hasMessageContaining("no_such_database_here.page_view_counts_store");
    }
  }
}
