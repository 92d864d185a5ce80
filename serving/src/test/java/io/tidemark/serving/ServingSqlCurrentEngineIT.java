package io.tidemark.serving;

import io.tidemark.testsupport.CurrentClickHouseEngine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.schema.clickhouse.ClickHouseSchema;
import io.tidemark.schema.clickhouse.CountVersions;
import io.tidemark.schema.clickhouse.SqlParameters;
import io.tidemark.serving.drift.DriftQueries;
import io.tidemark.serving.query.ServingQueries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the serving layer on a current ClickHouse engine (chdb-core from the project
 * venv, {@code scripts/ensure-chdb.sh}), over the same kind of rows as {@code CountsApiIT} runs on
 * 18.16: the SQL must be valid, and give the same answers, on both.
 */
class ServingSqlCurrentEngineIT {
  private static final String DB = "tidemark_serving_it";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyServingQueryRunsOnTheCurrentEngineWithTheSameAnswers(@TempDir Path data) throws Exception {
    List<String> steps = new ArrayList<>(ClickHouseSchema.allStatements(DB));
    steps.add("SYSTEM STOP MERGES " + DB + ".user_page_counts_store");
    steps.add("SYSTEM STOP MERGES " + DB + ".page_view_counts_store");
    steps.add(count("user_page_counts_store", "u1", "10:00", 3, 1));
    steps.add(count("user_page_counts_store", "u1", "10:00", 8, 2));
    steps.add(count("user_page_counts_store", "u1", "10:01", 2, 1));
    steps.add(count("page_view_counts_store", "/home", "10:00", 5, 1));
    steps.add(count("page_view_counts_store", "/home", "10:00", 9, 3));
    steps.add(count("page_view_counts_store", "/home", "10:00", 7, 2));
    steps.add(count("page_view_counts_store", "/about", "10:00", 4, 1));
    steps.add(count("page_view_counts_store", "/about", "10:02", 3, 1));
    steps.add(count("page_view_counts_store", "/about", "10:02", 6, CountVersions.batch(1)));
    steps.add(count("page_view_counts_store", "/about", "10:02", 4, 99));
    // after the bound "now" (10:05): stored, but not the newest window
    steps.add(count("page_view_counts_store", "/ahead", "10:30", 1, 1));
    steps.add("INSERT INTO " + DB + ".drift_reports VALUES"
        + " ('run-1', '2026-11-24', '2026-11-24 00:00:00', '2026-11-25 02:00:00', '2026-11-25 02:00:40', 'replaced', 0, 0, 1, 7, 'b1', 104, 98, 6, 0.06, 6, 0, 0, 0, 1, '{}'),"
        + " ('run-2', '2026-11-24', '2026-11-24 00:00:00', '2026-11-25 03:00:00', '2026-11-25 03:00:42', 'replaced', 0, 0, 1, 7, 'b2', 103, 98, 5, 0.05, 3, 2, 0, 0, 1, '{}')");
    steps.add("INSERT INTO " + DB + ".drift_report_metrics VALUES"
        + " ('run-2', '2026-11-24', '2026-11-24 00:00:00', 'page_view_counts', 50, 49, 103, 98, 0, 1, 2, 5, 0.05, 3, 2, 0, 0, 1)");
    steps.add("INSERT INTO " + DB + ".drift_report_keys VALUES"
        + " ('run-2', '2026-11-24', 'page_view_counts', '/home', '2026-11-24 10:00:00', 12, 9, 3, 3, 'too-late'),"
        + " ('run-2', '2026-11-24', 'page_view_counts', '/about', '2026-11-24 10:02:00', 6, 4, 2, 0, 'not-streamed')");
    steps.add("INSERT INTO " + DB + ".day_status VALUES ('2026-11-24', '2026-11-24 00:00:00', 'reconciled', '2026-11-25 03:00:42', 7, 'run-2', 2)");
    int firstQuery = steps.size();
    Map<String, String> queries = new LinkedHashMap<>(ServingQueries.boundForCheck(DB));
    queries.putAll(DriftQueries.boundForCheck(DB));
    steps.addAll(queries.values());

    JsonNode result = run(data, steps);

    JsonNode results = result.get("results");
    assertThat(results).hasSize(steps.size());
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (!results.get(i).get("ok").asBoolean()) {
        failures.add(steps.get(i) + "\n  -> " + results.get(i).get("error").asText());
      }
    }
    assertThat(failures).as("statements failing on ClickHouse " + result.get("engine").asText()).isEmpty();
    assertThat(result.get("engine").asText()).matches("2[4-9]\\..*|[3-9]\\d\\..*");

    Map<String, String> out = new LinkedHashMap<>();
    int i = firstQuery;
    for (String name : queries.keySet()) {
      out.put(name, results.get(i++).get("output").asText());
    }
    assertThat(out.get("user_counts")).isEqualTo("2026-11-24 10:00:00\t8\n2026-11-24 10:01:00\t2\n");
    assertThat(out.get("page_counts")).isEqualTo("2026-11-24 10:00:00\t4\n2026-11-24 10:02:00\t6\n");
    assertThat(out.get("totals")).isEqualTo("2026-11-24 10:00:00\t13\n2026-11-24 10:02:00\t6\n");
    assertThat(out.get("top_pages")).isEqualTo("/about\t10\n/home\t9\n");
    assertThat(out.get("freshness")).isEqualTo("2026-11-24 10:02:00\t2026-11-25 03:00:00\t8\n");
    assertThat(out.get("drift_tables").lines().sorted().toList())
        .containsExactly("day_status", "drift_report_keys", "drift_report_metrics", "drift_reports");
    assertThat(out.get("drift_list")).startsWith("run-2\t2026-11-24\t").hasLineCount(1);
    assertThat(out.get("drift_day")).startsWith("run-2\t");
    assertThat(out.get("drift_key_causes")).isEqualTo("page_view_counts\ttoo-late\t1\t3\npage_view_counts\tnot-streamed\t1\t2\n");
    assertThat(out.get("drift_keys")).startsWith("page_view_counts\t/home\t2026-11-24 10:00:00\t9\t12\t3\ttoo-late\n");
    assertThat(out.get("drift_metrics")).isEqualTo("page_view_counts\t50\t49\t103\t98\t0\t1\t2\t5\t0.05\t3\t2\t0\t0\t1\n");
    assertThat(out.get("drift_day_status")).isEqualTo("reconciled\t2026-11-25 03:00:42\trun-2\n");
  }

  private static String count(String table, String key, String minute, long count, long version) {
    return "INSERT INTO " + DB + "." + table + " VALUES (" + SqlParameters.quoteString(key) + ", '2026-11-24 " + minute
        + ":00', " + count + ", " + version + ", '" + (CountVersions.isBatch(version) ? "batch" : "speed")
        + "', '2026-11-25 03:00:00')";
  }

  private static JsonNode run(Path data, List<String> steps) throws Exception {
    return CurrentClickHouseEngine.ensure().run(data, steps);
  }

}
