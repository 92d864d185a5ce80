package io.tidemark.schema.clickhouse;

import static io.tidemark.schema.clickhouse.CountRows.insertEach;
import static io.tidemark.schema.clickhouse.CountRows.row;
import static io.tidemark.schema.clickhouse.CountRows.seedQuery;
import static io.tidemark.schema.clickhouse.CountRows.storedRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.schema.ItServices;
import io.tidemark.schema.StatementFailedException;
import io.tidemark.schema.clickhouse.PartitionReplacer.DayStats;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PartitionReplacerIT {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 24);
  private static final long RUN = CountVersions.batch(1_796_000_000_000L);

  private ClickHouseSql sql;
  private PartitionReplacer replacer;

  @BeforeEach
  void migrateFreshDatabase() {
    sql = ClickHouseClients.connect(ItServices.isolatedConfig("replace"));
    new SchemaMigrator(sql).migrate();
    replacer = new PartitionReplacer(sql);
  }

  @AfterEach
  void close() {
    sql.close();
  }

  /** Speed counts on three days; batch counts for the middle day (and a stray next day) in staging. */
  private void writeThreeSpeedDaysAndStageTheMiddleOne(CountTable t) {
    insertEach(sql, t.storeTable(), List.of(
        row(t, "a", "2026-11-23T23:59:00Z", 4, 100),
        row(t, "a", "2026-11-24T00:00:00Z", 5, 100),
        row(t, "a", "2026-11-24T00:00:00Z", 6, 101),
        row(t, "b", "2026-11-24T12:00:00Z", 2, 100),
        row(t, "c", "2026-11-24T23:59:00Z", 9, 100),
        row(t, "a", "2026-11-25T00:00:00Z", 3, 100)));
    insertEach(sql, t.stagingTable(), List.of(
        row(t, "a", "2026-11-24T00:00:00Z", 7, RUN),
        row(t, "b", "2026-11-24T12:00:00Z", 2, RUN),
        row(t, "d", "2026-11-24T18:30:00Z", 1, RUN),
        row(t, "a", "2026-11-25T00:00:00Z", 99, RUN)));
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void replacesExactlyOneDayAndLeavesTheOtherDaysUntouched(CountTable t) {
    writeThreeSpeedDaysAndStageTheMiddleOne(t);
    assertThat(seedQuery(sql, t)).containsExactly(
        "a 2026-11-23 23:59:00 4",
        "a 2026-11-24 00:00:00 6",
        "a 2026-11-25 00:00:00 3",
        "b 2026-11-24 12:00:00 2",
        "c 2026-11-24 23:59:00 9");
    assertThat(replacer.stagingDayStats(t, DAY)).isEqualTo(new DayStats(3, 10));

    replacer.replaceDay(t, DAY);

    assertThat(seedQuery(sql, t)).containsExactly(
        "a 2026-11-23 23:59:00 4",
        "a 2026-11-24 00:00:00 7",
        "a 2026-11-25 00:00:00 3",
        "b 2026-11-24 12:00:00 2",
        "d 2026-11-24 18:30:00 1");
    assertThat(replacer.storeDayStats(t, DAY)).isEqualTo(new DayStats(3, 10));
    assertThat(replacer.storeDayStats(t, DAY.minusDays(1))).isEqualTo(new DayStats(1, 4));
    assertThat(replacer.storeDayStats(t, DAY.plusDays(1))).isEqualTo(new DayStats(1, 3));
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void repeatingTheReplacementChangesNothing(CountTable t) {
    writeThreeSpeedDaysAndStageTheMiddleOne(t);
    replacer.replaceDay(t, DAY);
    List<String> afterFirst = seedQuery(sql, t);

    replacer.replaceDay(t, DAY);

    assertThat(seedQuery(sql, t)).isEqualTo(afterFirst);
    assertThat(storedRows(sql, t.storeTable())).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void speedWriteAfterReplacementDoesNotOverrideReconciledCount(CountTable t) {
    writeThreeSpeedDaysAndStageTheMiddleOne(t);
    replacer.replaceDay(t, DAY);

    insertEach(sql, t.storeTable(), List.of(row(t, "a", "2026-11-24T00:00:00Z", 50, CountVersions.SPEED_MAX)));

    assertThat(seedQuery(sql, t)).contains("a 2026-11-24 00:00:00 7").doesNotContain("a 2026-11-24 00:00:00 50");
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void clearingStagingDayDropsOnlyThatDayAndIsIdempotent(CountTable t) {
    writeThreeSpeedDaysAndStageTheMiddleOne(t);

    replacer.clearStagingDay(t, DAY);
    replacer.clearStagingDay(t, DAY);

    assertThat(replacer.stagingDayStats(t, DAY)).isEqualTo(new DayStats(0, 0));
    assertThat(replacer.stagingDayStats(t, DAY.plusDays(1))).isEqualTo(new DayStats(1, 99));
    assertThat(storedRows(sql, t.storeTable())).isEqualTo(6);
  }

  @Test
  void replacementFailureNamesPartitionAndTable() {
    sql.execute("DROP TABLE " + sql.database() + "." + CountTable.USER_PAGE_COUNTS.stagingTable());

    assertThatThrownBy(() -> replacer.replaceDay(CountTable.USER_PAGE_COUNTS, DAY))
        .isInstanceOf(StatementFailedException.class)
        .hasMessageStartingWith("Cannot replace partition 20261124 of " + sql.database()
            + ".user_page_counts_store from user_page_counts_staging: ClickHouse at " + sql.url() + " rejected ");
  }
}
