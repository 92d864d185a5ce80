package io.tidemark.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.testsupport.LayerProcess;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** OpsQueries finds the metric names of PromQL expressions and nothing else. */
class OpsQueriesTest {

  static Stream<Arguments> expressions() {
    return Stream.of(
        Arguments.of("sum(rate(flink_x_validEvents[1m]))", new String[] {"flink_x_validEvents"}),
        Arguments.of("max by (group) (tidemark_serving_kafka_consumer_lag_records)", new String[] {"tidemark_serving_kafka_consumer_lag_records"}),
        Arguments.of("max(flink_q{quantile=\"0.99\"}) / 1000", new String[] {"flink_q"}),
        Arguments.of("histogram_quantile(0.99, sum by (le, query) (rate(a_bucket{route=~\"/api/.*\"}[5m])))", new String[] {"a_bucket"}),
        Arguments.of("time() - tidemark_serving_reconcile_last_finished_seconds > 36 * 3600", new String[] {"tidemark_serving_reconcile_last_finished_seconds"}),
        Arguments.of("up{job=\"tidemark-serving\"} == 0", new String[] {"up"}),
        Arguments.of("sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + sum(rate(b_total[5m])))", new String[] {"a_total", "b_total"}),
        Arguments.of("x_ratio > 1.5e3 and on (instance) y_up offset 5m", new String[] {"x_ratio", "y_up"}));
  }

  @ParameterizedTest
  @MethodSource("expressions")
  void findsExactlyTheMetricNames(String expr, String[] names) {
    assertThat(OpsQueries.metricsIn(expr)).containsExactlyInAnyOrder(names);
  }

  @Test
  void readsEveryDashboardPanelAndAlertingRule() throws Exception {
    var exprs = OpsQueries.expressions(LayerProcess.projectRoot());
    assertThat(exprs).hasSizeGreaterThan(20).contains(
        "tidemark_serving_freshness_lag_seconds > 120",
        "max(flink_jobmanager_job_lastCheckpointDuration)");
  }
}
