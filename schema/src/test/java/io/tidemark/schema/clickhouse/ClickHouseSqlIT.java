package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.schema.ItServices;
import io.tidemark.schema.StatementFailedException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client-side parameter binding and JSONEachRow round trips against the real server. */
class ClickHouseSqlIT {
  private static ClickHouseSql sql;
  private static String table;

  @BeforeAll
  static void createTable() {
    sql = ClickHouseClients.connect(ItServices.isolatedConfig("sql"));
    sql.execute("CREATE DATABASE IF NOT EXISTS " + sql.database());
    table = sql.database() + ".strings";
    sql.execute("CREATE TABLE " + table + " (s String, t DateTime('UTC'), d Date, n UInt64)"
        + " ENGINE = MergeTree PARTITION BY toYYYYMMDD(t) ORDER BY s");
  }

  @AfterAll
  static void close() {
    sql.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "plain", "o'brien", "back\\slash", "quote\\'mix", "new\nline\ttab\rcr", "nul\0byte", "{p:String}",
      "'; DROP TABLE x; --", "ünïcødé ✓ 页面", "/products/42?ref=a&b=%27"})
  void valueInsertedAsJsonIsFoundByBoundStringParameter(String value) {
    sql.insertJsonEachRow(table, List.of(Map.of(
        "s", value, "t", Instant.parse("2026-11-24T10:00:00Z"), "d", LocalDate.of(2026, 11, 24), "n", 1)));

    List<Map<String, String>> rows =
        sql.queryRows("SELECT s, length(s) AS len FROM " + table + " WHERE s = {v:String}", Map.of("v", value));

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("s")).isEqualTo(value);
  }

  @Test
  void bindsDateTimeDateAndUInt64Parameters() {
    sql.insertJsonEachRow(table, List.of(Map.of(
        "s", "typed", "t", Instant.parse("2026-11-24T23:59:59Z"), "d", LocalDate.of(2026, 11, 24),
        "n", CountVersions.batch(5))));

    List<Map<String, String>> rows = sql.queryRows(
        "SELECT s, t, d, n FROM " + table + " WHERE t = {t:DateTime} AND d = {d:Date} AND n = {n:UInt64}",
        Map.of("t", Instant.parse("2026-11-24T23:59:59Z"), "d", LocalDate.of(2026, 11, 24),
            "n", CountVersions.batch(5)));

    assertThat(rows).containsExactly(
        Map.of("s", "typed", "t", "2026-11-24 23:59:59", "d", "2026-11-24", "n", "4611686018427387909"));
  }

  @Test
  void rejectedStatementNamesServerStatementAndCode() {
    assertThatThrownBy(() -> sql.queryRows("SELECT no_such_column FROM " + table, Map.of()))
        .isInstanceOf(StatementFailedException.class)
        .hasMessageStartingWith("ClickHouse at " + sql.url() + " rejected 'SELECT no_such_column FROM " + table + "': ")
        .matches(e -> ((StatementFailedException) e).serverCode() == 47)
        .matches(e -> !((StatementFailedException) e).isRetryable());
  }

  @Test
  void reportsTheServerVersion() {
    assertThat(sql.verifyConnection()).matches("\\d+\\.\\d+.*");
  }
}
