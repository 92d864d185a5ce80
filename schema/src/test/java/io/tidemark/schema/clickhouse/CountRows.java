package io.tidemark.schema.clickhouse;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helpers to write and read count rows exactly as the layers will. */
final class CountRows {
  static final Instant WRITTEN_AT = Instant.parse("2026-11-25T03:00:00Z");

  private CountRows() {}

  static Map<String, Object> row(CountTable t, String key, String windowStart, long count, long version) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put(t.keyColumn(), key);
    r.put("window_start", Instant.parse(windowStart));
    r.put("count", count);
    r.put("version", version);
    r.put("source", CountVersions.isBatch(version) ? "batch" : "speed");
    r.put("written_at", WRITTEN_AT);
    return r;
  }

  /** One insert per row: each becomes its own part, as separate emissions would. */
  static void insertEach(ClickHouseSql sql, String table, List<Map<String, Object>> rows) {
    for (Map<String, Object> r : rows) {
      sql.insertJsonEachRow(sql.database() + "." + table, List.of(r));
    }
  }

  /** The seed's query against the view, rendered as "key window_start count" lines in key order. */
  static List<String> seedQuery(ClickHouseSql sql, CountTable t) {
    String seed = "SELECT " + t.keyColumn() + ", window_start, count FROM " + sql.database() + "." + t.viewName();
    return sql.queryRows(seed + " ORDER BY " + t.keyColumn() + ", window_start", Map.of()).stream()
        .map(r -> r.get(t.keyColumn()) + " " + r.get("window_start") + " " + r.get("count"))
        .toList();
  }

  static long storedRows(ClickHouseSql sql, String table) {
    return sql.queryLong("SELECT count() AS n FROM {t:Identifier}", Map.of("t", sql.database() + "." + table));
  }
}
