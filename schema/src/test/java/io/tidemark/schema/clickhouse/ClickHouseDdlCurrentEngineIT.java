package io.tidemark.schema.clickhouse;

import io.tidemark.testsupport.CurrentClickHouseEngine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every DDL statement of Tidemark in a current ClickHouse engine (chdb-core, embedded in a
 * Python process from the project venv that {@code scripts/ensure-chdb.sh} maintains), because
 * the server tested everywhere else is 18.16 and users run current ClickHouse. Statements reach
 * Python as JSON on stdin, never through a shell.
 */
class ClickHouseDdlCurrentEngineIT {
  private static final String DB = "tidemark_it";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static CurrentClickHouseEngine engine;

  @BeforeAll
  static void ensureChdb() {
    engine = CurrentClickHouseEngine.ensure();
  }

  @Test
  void everyStatementOfEveryMigrationSucceedsTwiceOnTheCurrentEngine(@TempDir Path data) throws Exception {
    List<String> steps = new ArrayList<>(ClickHouseSchema.allStatements(DB));
    steps.addAll(ClickHouseSchema.allStatements(DB));

    JsonNode result = run(data, steps);

    assertThat(result.get("engine").asText()).as("engine version").matches("2[4-9]\\..*|[3-9]\\d\\..*");
    assertAllSucceeded(steps, result);
  }

  @Test
  void seedViewReturnsOneRowPerKeyWithTheHighestVersionOnTheCurrentEngine(@TempDir Path data) throws Exception {
    List<String> steps = new ArrayList<>(ClickHouseSchema.allStatements(DB));
    for (CountTable t : CountTable.values()) {
      String store = DB + "." + t.storeTable();
      steps.add("SYSTEM STOP MERGES " + store);
      steps.add(insert(store, "k1", "2026-11-24 10:00:00", 5, 1000));
      steps.add(insert(store, "k1", "2026-11-24 10:00:00", 9, 3000));
      steps.add(insert(store, "k1", "2026-11-24 10:00:00", 7, 2000));
      steps.add(insert(store, "k2", "2026-11-24 10:00:00", 1, 1000));
      steps.add("SELECT count() FROM " + store);
      steps.add("SELECT " + t.keyColumn() + ", window_start, count FROM " + DB + "." + t.viewName()
          + " ORDER BY " + t.keyColumn());
    }

    JsonNode result = run(data, steps);

    assertAllSucceeded(steps, result);
    JsonNode r = result.get("results");
    int n = r.size();
    assertThat(r.get(n - 9).get("output").asText()).isEqualTo("4\n");
    assertThat(r.get(n - 8).get("output").asText()).isEqualTo("k1\t2026-11-24 10:00:00\t9\nk2\t2026-11-24 10:00:00\t1\n");
    assertThat(r.get(n - 2).get("output").asText()).isEqualTo("4\n");
    assertThat(r.get(n - 1).get("output").asText()).isEqualTo("k1\t2026-11-24 10:00:00\t9\nk2\t2026-11-24 10:00:00\t1\n");
  }

  @Test
  void replacePartitionFromStagingSwapsOneDayOnTheCurrentEngine(@TempDir Path data) throws Exception {
    CountTable t = CountTable.USER_PAGE_COUNTS;
    String store = DB + "." + t.storeTable();
    String staging = DB + "." + t.stagingTable();
    long batch = CountVersions.batch(1);
    List<String> steps = new ArrayList<>(ClickHouseSchema.allStatements(DB));
    steps.add(insert(store, "a", "2026-11-23 23:59:00", 4, 100));
    steps.add(insert(store, "a", "2026-11-24 00:00:00", 6, 100));
    steps.add(insert(store, "c", "2026-11-24 23:59:00", 9, 100));
    steps.add(insert(store, "a", "2026-11-25 00:00:00", 3, 100));
    steps.add(insert(staging, "a", "2026-11-24 00:00:00", 7, batch));
    steps.add(insert(staging, "d", "2026-11-24 18:30:00", 1, batch));
    steps.add("ALTER TABLE " + store + " REPLACE PARTITION " + DayPartition.of(java.time.LocalDate.of(2026, 11, 24))
        + " FROM " + staging);
    steps.add(insert(store, "a", "2026-11-24 00:00:00", 50, CountVersions.SPEED_MAX));
    steps.add("ALTER TABLE " + staging + " DROP PARTITION 20261124");
    steps.add("SELECT user_id, window_start, count FROM " + DB + ".user_page_counts ORDER BY user_id, window_start");
    steps.add("SELECT count() FROM " + staging);

    JsonNode result = run(data, steps);

    assertAllSucceeded(steps, result);
    JsonNode r = result.get("results");
    assertThat(r.get(r.size() - 2).get("output").asText()).isEqualTo(
        "a\t2026-11-23 23:59:00\t4\n"
            + "a\t2026-11-24 00:00:00\t7\n"
            + "a\t2026-11-25 00:00:00\t3\n"
            + "d\t2026-11-24 18:30:00\t1\n");
    assertThat(r.get(r.size() - 1).get("output").asText()).isEqualTo("0\n");
  }

  private static String insert(String table, String key, String windowStart, long count, long version) {
    return "INSERT INTO " + table + " VALUES (" + SqlParameters.quoteString(key) + ", '" + windowStart + "', "
        + count + ", " + version + ", '" + (CountVersions.isBatch(version) ? "batch" : "speed")
        + "', '2026-11-25 03:00:00')";
  }

  private static JsonNode run(Path data, List<String> steps) throws IOException, InterruptedException {
    return engine.run(data, steps);
  }


  private static void assertAllSucceeded(List<String> steps, JsonNode result) {
    JsonNode results = result.get("results");
    assertThat(results).hasSize(steps.size());
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (!results.get(i).get("ok").asBoolean()) {
        failures.add(steps.get(i) + "\n  -> " + results.get(i).get("error").asText());
      }
    }
    assertThat(failures).as("statements failing on ClickHouse " + result.get("engine").asText()).isEmpty();
  }

}
