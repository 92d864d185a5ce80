package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.metric.LatenessHorizon;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The nightly DAG ({@code orchestration/dags/tidemark_nightly.py}) runs the reconcile of day D at
 * D+1 HH:MM UTC; {@link Reconciler#checkSettled} refuses D before the lateness horizon plus the
 * settle time, and a refusal fails the Airflow task without retry. Checked here, where both
 * defaults are known, so that changing either side without the other fails the build instead of
 * every scheduled run.
 */
class NightlyScheduleTest {
  private static final Path ROOT = Path.of(System.getProperty("tidemark.root", ".."));
  private static final Pattern CRON = Pattern.compile("CronDataIntervalTimetable\\(\"(\\d+) (\\d+) \\* \\* \\*\"");

  @Test
  void nightlyRunStartsAfterReconcileAcceptsTheDayWithTheDefaultConfiguration() throws Exception {
    String dag = Files.readString(ROOT.resolve("orchestration/dags/tidemark_nightly.py"));
    Matcher m = CRON.matcher(dag);
    assertThat(m.find()).as("a daily cron in tidemark_nightly.py").isTrue();
    Duration start = Duration.ofHours(Long.parseLong(m.group(2))).plusMinutes(Long.parseLong(m.group(1)));

    LocalDate day = LocalDate.parse("2026-11-24");
    TidemarkConfig defaults = TidemarkConfig.of(Map.of());
    Instant accepted = LatenessHorizon.of(defaults).settledAt(day).plus(defaults.get(ReconcileOptions.SETTLE_TIME));
    Duration acceptedAfterMidnight = Duration.between(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), accepted);

    assertThat(acceptedAfterMidnight).isEqualTo(Duration.ofMinutes(12).plusSeconds(5));
    assertThat(start).as("the nightly run's start after midnight UTC, with at least 5 minutes of margin")
        .isGreaterThanOrEqualTo(acceptedAfterMidnight.plusMinutes(5))
        .isEqualTo(Duration.ofMinutes(20));
  }
}
