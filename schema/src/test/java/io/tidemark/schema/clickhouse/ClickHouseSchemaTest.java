package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClickHouseSchemaTest {
  private static final Pattern CREATE_TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS \\$\\{database}\\.(\\w+) ");

  @Test
  void migrationVersionsStartAtOneAndHaveNoGaps() {
    List<Migration> all = ClickHouseSchema.migrations();
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).version()).isEqualTo(i + 1);
    }
  }

  @Test
  void firstMigrationChecksumIsFrozen() {
    // Migration 1 is applied on real servers: editing it makes migrate refuse to run there.
    assertThat(ClickHouseSchema.migrations().get(0).checksum())
        .isEqualTo("935b61173f2e2302a80609e2c86c6ebd0fd1c80f0919278d5095ae12f9cff677");
  }

  @Test
  void everyStatementIsIdempotent() {
    assertThat(ClickHouseSchema.allStatements("tidemark"))
        .allSatisfy(s -> assertThat(s).containsPattern("^CREATE (TABLE|VIEW|DATABASE) IF NOT EXISTS "));
  }

  @Test
  void everyTableIsPartitionedByUtcDay() {
    for (String s : ClickHouseSchema.allStatements("tidemark")) {
      if (s.startsWith("CREATE TABLE")) {
        // A day first; reconcile_cells adds the run, so that each run drops only its own rows.
        assertThat(s).containsPattern("PARTITION BY \\(?toYYYYMMDD\\((window_start|event_time|applied_at)\\)");
        assertThat(s).contains("DateTime('UTC')");
      }
    }
  }

  @Test
  void statementsNameTheConfiguredDatabaseOnly() {
    assertThat(ClickHouseSchema.allStatements("analytics_1"))
        .allSatisfy(s -> assertThat(s).doesNotContain("${database}").doesNotContain("tidemark."));
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void stagingTableIsTheStoreStatementWithOnlyTheNameChanged(CountTable table) {
    List<String> v1 = ClickHouseSchema.migrations().get(0).statementTemplates();
    String store = createTableOf(v1, table.storeTable());
    String staging = createTableOf(v1, table.stagingTable());
    assertThat(staging).isEqualTo(store.replace(table.storeTable(), table.stagingTable()));
    assertThat(store).contains("ENGINE = ReplacingMergeTree(version)")
        .contains("ORDER BY (" + table.keyColumn() + ", window_start)");
  }

  @ParameterizedTest
  @EnumSource(CountTable.class)
  void viewKeepsTheSeedNameAndColumnsAndReadsTheStoreWithFinal(CountTable table) {
    String view = ClickHouseSchema.migrations().get(0).statementTemplates().stream()
        .filter(s -> s.startsWith("CREATE VIEW IF NOT EXISTS ${database}." + table.viewName() + " "))
        .findFirst().orElseThrow();
    assertThat(view.replaceAll("\\s+", " "))
        .isEqualTo("CREATE VIEW IF NOT EXISTS ${database}." + table.viewName() + " AS SELECT "
            + table.keyColumn() + ", window_start, count FROM ${database}." + table.storeTable() + " FINAL");
  }

  private static String createTableOf(List<String> statements, String table) {
    for (String s : statements) {
      Matcher m = CREATE_TABLE.matcher(s);
      if (m.find() && m.group(1).equals(table)) {
        return s;
      }
    }
    throw new AssertionError("No CREATE TABLE for " + table);
  }

  @Test
  void tabSeparatedValuesEscapeWhatClickHouseReadsAsStructure() {
    assertThat(ClickHouseSql.tsvEscape("plain/üser-1")).isEqualTo("plain/üser-1");
    assertThat(ClickHouseSql.tsvEscape("a\tb\nc\\d\re")).isEqualTo("a\\tb\\nc\\\\d\\re");
  }
}
