package io.tidemark.serving;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.CountTable;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A database of the test's own on the JVM's real ClickHouse (TestServices), migrated with the
 * project's schema, merges stopped so that every write stays its own part, and helpers that write
 * count rows as the speed layer and reconciliation do (writer user).
 */
final class StoreFixture implements AutoCloseable {
  static final Instant WRITTEN_AT = Instant.parse("2026-11-24T10:05:00Z");

  final TidemarkConfig config;
  final ClickHouseSql writer;

  StoreFixture(String prefix) {
    this(prefix, TestServices.get(Service.CLICKHOUSE).config());
  }

  /** A database on the ClickHouse that {@code shared} points at (a test's own server). */
  StoreFixture(String prefix, TidemarkConfig shared) {
    String db = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    this.config = shared.with(ClickHouseOptions.DATABASE, db);
    this.writer = ClickHouseClients.connect(config);
    new SchemaMigrator(writer).migrate();
    for (CountTable t : CountTable.values()) {
      writer.execute("SYSTEM STOP MERGES " + db + "." + t.storeTable());
    }
  }

  /** One insert per row, each its own part, as separate emissions would be. */
  void write(CountTable t, String key, String windowStart, long count, long version) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put(t.keyColumn(), key);
    r.put("window_start", Instant.parse(windowStart));
    r.put("count", count);
    r.put("version", version);
    r.put("source", CountVersions.isBatch(version) ? "batch" : "speed");
    r.put("written_at", WRITTEN_AT);
    writer.insertJsonEachRow(writer.database() + "." + t.storeTable(), List.of(r));
  }

  void write(CountTable t, String key, Instant windowStart, long count, long version) {
    write(t, key, windowStart.toString(), count, version);
  }

  @Override
  public void close() {
    writer.execute("DROP DATABASE IF EXISTS " + writer.database());
    writer.close();
  }
}
