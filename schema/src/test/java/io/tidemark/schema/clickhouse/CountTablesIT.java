package io.tidemark.schema.clickhouse;

import static io.tidemark.schema.clickhouse.CountRows.insertEach;
import static io.tidemark.schema.clickhouse.CountRows.row;
import static io.tidemark.schema.clickhouse.CountRows.seedQuery;
import static io.tidemark.schema.clickhouse.CountRows.storedRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.schema.ItServices;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed query's one-row-per-key property on the ClickHouse server the project runs (18.16),
 * with background merges stopped so that every write is still its own part when it is read.
 */
class CountTablesIT {
  private ClickHouseSql sql;

  @BeforeEach
  void migrateFreshDatabase() {
    sql = ClickHouseClients.connect(ItServices.isolatedConfig("counts"));
    new SchemaMigrator(sql).migrate();
    for (CountTable t : CountTable.values()) {
      sql.execute("SYSTEM STOP MERGES " + sql.database() + "." + t.storeTable());
    }
  }

  @AfterEach
  void close() {
    sql.close();
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void seedQueryReturnsOneRowWithHighestVersionWhenWindowWrittenThreeTimes(CountTable t) {
    insertEach(sql, t.storeTable(), List.of(
        row(t, "k1", "2026-11-24T10:00:00Z", 5, 1_000),
        row(t, "k1", "2026-11-24T10:00:00Z", 9, 3_000),
        row(t, "k1", "2026-11-24T10:00:00Z", 7, 2_000)));

    assertThat(storedRows(sql, t.storeTable())).isEqualTo(3);
    assertThat(seedQuery(sql, t)).containsExactly("k1 2026-11-24 10:00:00 9");
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void keepsOneRowPerKeyAndWindowWhenManyKeysAreReEmitted(CountTable t) {
    insertEach(sql, t.storeTable(), List.of(
        row(t, "a", "2026-11-24T10:00:00Z", 1, 10),
        row(t, "b", "2026-11-24T10:00:00Z", 4, 10),
        row(t, "a", "2026-11-24T10:01:00Z", 2, 11),
        row(t, "a", "2026-11-24T10:00:00Z", 3, 12),
        row(t, "b", "2026-11-24T10:00:00Z", 6, 13),
        row(t, "a", "2026-11-24T23:59:00Z", 8, 14),
        row(t, "a", "2026-11-25T00:00:00Z", 1, 15)));

    assertThat(seedQuery(sql, t)).containsExactly(
        "a 2026-11-24 10:00:00 3",
        "a 2026-11-24 10:01:00 2",
        "a 2026-11-24 23:59:00 8",
        "a 2026-11-25 00:00:00 1",
        "b 2026-11-24 10:00:00 6");
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void laterSpeedWriteWithLowerVersionDoesNotWinOverBatchWrite(CountTable t) {
    long speedVersion = CountVersions.speed(1_795_950_000_000L);
    insertEach(sql, t.storeTable(), List.of(
        row(t, "k1", "2026-11-24T10:00:00Z", 5, speedVersion),
        row(t, "k1", "2026-11-24T10:00:00Z", 7, CountVersions.batch(1_796_000_000_000L)),
        row(t, "k1", "2026-11-24T10:00:00Z", 9, CountVersions.speed(speedVersion + 60_000))));

    assertThat(seedQuery(sql, t)).containsExactly("k1 2026-11-24 10:00:00 7");
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void seedQueryIsUnchangedAfterMergesCollapseTheVersions(CountTable t) {
    insertEach(sql, t.storeTable(), List.of(
        row(t, "k1", "2026-11-24T10:00:00Z", 5, 1),
        row(t, "k1", "2026-11-24T10:00:00Z", 9, 3),
        row(t, "k1", "2026-11-24T10:00:00Z", 7, 2)));
    sql.execute("SYSTEM START MERGES " + sql.database() + "." + t.storeTable());

    sql.execute("OPTIMIZE TABLE " + sql.database() + "." + t.storeTable() + " FINAL");

    assertThat(storedRows(sql, t.storeTable())).isEqualTo(1);
    assertThat(seedQuery(sql, t)).containsExactly("k1 2026-11-24 10:00:00 9");
  }
}
