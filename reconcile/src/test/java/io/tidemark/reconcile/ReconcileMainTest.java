package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.batch.BatchException;
import io.tidemark.batch.NoRecordsException;
import io.tidemark.core.config.ConfigException;
import io.tidemark.schema.StoreAccessDeniedException;
import io.tidemark.schema.StoreUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input fails before anything is contacted: one line, non-zero exit; and each kind of failure
 * gets the exit code the Airflow tasks decide on (1 retried, 2 and 3 not).
 */
class ReconcileMainTest {
  @Test
  void refusesARangeEndingBeforeItStartsWithExitCodeThree() {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new PrintWriter(err, true), "backfill", "--from", "2026-11-24", "--to", "2026-11-20");
    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).isEqualTo("error: The range ends (2026-11-20) before it starts (2026-11-24)" + System.lineSeparator());
  }

  @Test
  void rejectsAMalformedDateAsBadUsage() {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new PrintWriter(err, true), "reconcile", "--date", "2026-13-01");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: Invalid value for option '--date': '2026-13-01' is not a day")
        .endsWith(System.lineSeparator() + "Run './tidemark reconcile --help' for usage." + System.lineSeparator());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "drift | --date | +99999-01-01", "drift | --date | 1969-12-31", "drift | --from | 2106-01-01",
      "days | --to | 20261124", "reconcile | --date | 2026-02-30", "backfill | --from | 0999-01-01"})
  void rejectsADayClickHouseCannotHoldAsBadUsageInOneLine(String command, String option, String value) {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new PrintWriter(err, true), command, option, value);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("error: Invalid value for option '" + option + "': '" + value
        + "' is not a day: expected YYYY-MM-DD between 1970-01-01 and 2105-12-31" + System.lineSeparator()
        + "Run './tidemark " + command + " --help' for usage." + System.lineSeparator());
  }

  @Test
  void driftRefusesDateTogetherWithARangeBeforeContactingClickHouse() {
    for (String[] args : List.of(new String[] {"--date", "2026-11-24", "--from", "2026-11-01"},
        new String[] {"--to", "2026-11-30", "--date", "2026-11-24"})) {
      StringWriter err = new StringWriter();
      String[] all = new String[args.length + 1];
      all[0] = "drift";
      System.arraycopy(args, 0, all, 1, args.length);
      assertThat(ReconcileMain.execute(new PrintWriter(err, true), all)).isEqualTo(2);
      assertThat(err.toString()).isEqualTo(
          "error: --date shows one day's report and --from/--to list a range: give one or the other" + System.lineSeparator()
              + "Run './tidemark drift --help' for usage." + System.lineSeparator());
    }
  }

  @Test
  void requiresADate() {
    StringWriter err = new StringWriter();
    assertThat(ReconcileMain.execute(new PrintWriter(err, true), "reconcile")).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: Missing required option: '--date=YYYY-MM-DD'");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(new ReconcileException("Day 2026-11-24 is still inside the speed layer's lateness horizon", false), 3),
        Arguments.of(new NoRecordsException(LocalDate.parse("2026-11-20"), "No records for 2026-11-20"), 3),
        Arguments.of(new BatchException("Lake table lake.pageview_events has no data yet", false), 3),
        Arguments.of(new StoreAccessDeniedException("ClickHouse rejected user default", null), 3),
        Arguments.of(new ConfigException("Unknown key tidemark.reconcile.drift-treshold"), 2),
        Arguments.of(new ReconcileException("Cannot replace partition 20261124: staging holds 1 rows", true), 1),
        Arguments.of(new BatchException("Table lake.batch_runs disappeared during the run", true), 1),
        Arguments.of(new StoreUnavailableException("ClickHouse at http://localhost:18123 is unreachable", null), 1),
        Arguments.of(new IllegalStateException("unexpected"), 1));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void exitCodeSaysWhetherARetryCanHelp(Exception failure, int expected) {
    assertThat(ReconcileMain.exitCode(failure)).isEqualTo(expected);
  }

  @Test
  void helpListsTheExitCodes() {
    StringWriter out = new StringWriter();
    new picocli.CommandLine(new ReconcileMain()).setOut(new PrintWriter(out, true)).execute("reconcile", "--help");
    assertThat(out.toString().replaceAll("\\s+", " ")).contains("Exit codes: 0 done; 1 failed, a retry may help (a service unreachable); 2 bad usage or"
        + " configuration; 3 refused, retrying cannot help");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "--events | 5 | error: --events must be between 10000 and 200000000, got 5",
      "--users | 0 | error: --users and --pages must be at least 1",
      "--pages | -3 | error: --users and --pages must be at least 1"})
  void benchBatchRejectsBadSizesInOneLine(String option, String value, String message) {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new io.tidemark.reconcile.bench.BatchBenchMain(), new PrintWriter(err, true),
        option, value);
    assertThat(code).isEqualTo(io.tidemark.core.cli.ExitCodes.of(false));
    assertThat(err.toString()).isEqualTo(message + System.lineSeparator());
  }

  @Test
  void reconcileHelpListsTheLockSettings() {
    StringWriter out = new StringWriter();
    picocli.CommandLine cl = new picocli.CommandLine(new ReconcileMain());
    cl.getSubcommands().get("reconcile").getCommandSpec().usageMessage().footer(ReconcileMain.settingsFooter());
    cl.getSubcommands().get("reconcile").usage(new PrintWriter(out, true));
    assertThat(ReconcileMain.execute(new PrintWriter(new StringWriter(), true), "reconcile", "--help")).isZero();
    assertThat(out.toString()).contains("tidemark.reconcile.lock-ttl (TIDEMARK_RECONCILE_LOCK_TTL, default 2m)")
        .contains("tidemark.reconcile.lock-wait (TIDEMARK_RECONCILE_LOCK_WAIT, default 0s)");
  }
}
