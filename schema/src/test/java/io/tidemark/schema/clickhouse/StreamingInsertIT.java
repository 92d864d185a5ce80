package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.schema.ItServices;
import io.tidemark.schema.StatementFailedException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RowBinary streamed over HTTP into ClickHouse 18.16: values round-trip exactly, failures are named. */
class StreamingInsertIT {
  private static ClickHouseSql sql;
  private static String table;

  @BeforeAll
  static void createTable() {
    sql = ClickHouseClients.connect(ItServices.isolatedConfig("streaming"));
    sql.execute("CREATE DATABASE IF NOT EXISTS " + sql.database());
    table = sql.database() + ".cells";
    sql.execute("DROP TABLE IF EXISTS " + table);
    sql.execute("CREATE TABLE " + table + " (key String, window_start DateTime('UTC'), count UInt64)"
        + " ENGINE = MergeTree PARTITION BY toYYYYMMDD(window_start) ORDER BY (key, window_start)");
  }

  @AfterAll
  static void close() {
    sql.close();
  }

  @Test
  void streamsEveryRowWithStringsDatesAndLargeCountsIntact() {
    List<String> keys = List.of("plain", "tab\there", "back\\slash", "new\nline", "ünïcødé ✓ 页面", "",
        "x".repeat(300));
    try (StreamingInsert in = StreamingInsert.open(sql.endpoint(), table)) {
      for (int i = 0; i < 300_000; i++) {
        in.writeString(keys.get(i % keys.size())).writeDateTime(1_768_435_200L + 60L * (i % 1440))
            .writeUInt64(i == 0 ? -1L : i).endRow();
      }
      in.finish();
    }

    assertThat(sql.queryRows("SELECT count() AS n, uniqExact(key) AS k, min(window_start) AS lo, max(window_start) AS hi"
        + " FROM " + table, Map.of())).containsExactly(
        Map.of("n", "300000", "k", "7", "lo", "2026-01-15 00:00:00", "hi", "2026-01-15 23:59:00"));
    // 1 + 2 + ... + 299,999; row 0 carries the largest UInt64 (written as -1)
    assertThat(sql.queryRows("SELECT sum(count) AS s FROM " + table + " WHERE count < 1000000", Map.of()))
        .containsExactly(Map.of("s", "44999850000"));
    assertThat(sql.queryRows("SELECT count FROM " + table + " WHERE count > 1000000", Map.of()))
        .containsExactly(Map.of("count", "18446744073709551615"));
    for (String key : keys) {
      assertThat(sql.queryLong("SELECT count() AS n FROM " + table + " WHERE key = {k:String}", Map.of("k", key)))
          .as("rows of key %s", key).isEqualTo(keys.indexOf(key) < 300_000 % keys.size() ? 42_858L : 42_857L);
    }
  }

  @Test
  void rejectedInsertNamesTableRowsSentAndServerCode() {
    String missing = sql.database() + ".no_such_table";

    assertThatThrownBy(() -> {
      try (StreamingInsert in = StreamingInsert.open(sql.endpoint(), missing)) {
        in.writeString("k").writeDateTime(0L).writeUInt64(1L).endRow();
        in.finish();
      }
    }).isInstanceOf(StatementFailedException.class)
        .hasMessageStartingWith("ClickHouse at " + sql.url() + " rejected 'INSERT INTO " + missing
            + " FORMAT RowBinary' (1 rows sent): Code: 60")
        .matches(e -> ((StatementFailedException) e).serverCode() == 60);
  }

  @Test
  void refusesATableNameThatIsNotAnIdentifier() {
    assertThatThrownBy(() -> StreamingInsert.open(sql.endpoint(), "cells; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid table name 'cells; DROP TABLE x'");
  }
}
