"""Tests of orchestration/dags/ run with the Airflow venv's Python (DagsPythonIT runs them):
every DAG file imports, the DAGs have the promised shape, and the helpers validate their input.

    PYTHONPATH=orchestration/dags .tidemark/airflow-venv/bin/python -m unittest discover -s orchestration/src/test/python
"""

import datetime as dt
import os
import stat
import subprocess
import tempfile
import unittest
from unittest import mock

from _tidemark import cli

DAGS_FOLDER = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "dags"))


class DagImportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from airflow.models.dagbag import DagBag

        cls.bag = DagBag(dag_folder=DAGS_FOLDER, include_examples=False)

    def test_every_dag_file_imports_without_errors(self):
        self.assertEqual({}, self.bag.import_errors)
        self.assertEqual(
            ["tidemark_backfill", "tidemark_lake_maintenance", "tidemark_nightly"], sorted(self.bag.dag_ids)
        )

    def test_nightly_runs_after_the_lateness_horizon_with_retries_and_timeouts(self):
        dag = self.bag.dags["tidemark_nightly"]
        self.assertEqual("20 0 * * *", dag.timetable.summary)
        self.assertFalse(dag.catchup)
        self.assertEqual(1, dag.max_active_runs)
        self.assertEqual(
            ["lake_archived", "batch", "reconcile", "check_drift"], [t.task_id for t in dag.topological_sort()]
        )
        for task_id in ("lake_archived", "batch", "reconcile"):
            task = dag.get_task(task_id)
            self.assertGreaterEqual(task.retries, 1, task_id)
            self.assertIsNotNone(task.execution_timeout, task_id)
        self.assertEqual(0, dag.get_task("check_drift").retries)

    def test_backfill_maps_one_day_per_task_instance_with_bounded_concurrency(self):
        dag = self.bag.dags["tidemark_backfill"]
        self.assertFalse(dag.timetable.can_be_scheduled)  # triggered only
        day = dag.get_task("backfill_day")
        self.assertEqual(2, day.max_active_tis_per_dag)
        self.assertEqual({"from", "to"}, set(dag.params.keys()))
        for name in ("from", "to"):
            param = dag.params.get_param(name)
            self.assertFalse(param.has_value, f"{name} has no default: a trigger must name its range")
            self.assertEqual(r"^\d{4}-\d{2}-\d{2}$", param.schema["pattern"])

    def test_lake_maintenance_is_weekly(self):
        dag = self.bag.dags["tidemark_lake_maintenance"]
        self.assertEqual("0 3 * * 0", dag.timetable.summary)


class HelperTest(unittest.TestCase):
    def test_parse_day_accepts_real_days_only(self):
        self.assertEqual("2026-02-28", cli.parse_day("2026-02-28"))
        for bad in ["2026-02-30", "2026-2-1", "26-01-01", "2026-01-01; rm -rf /", "$(date)", "", None, 20260101]:
            with self.assertRaises(cli.FailNoRetry, msg=repr(bad)):
                cli.parse_day(bad)

    def test_only_ended_days_can_be_processed(self):
        today = dt.date(2026, 11, 25)
        self.assertEqual("2026-11-24", cli.require_ended("2026-11-24", today))
        for day in ("2026-11-25", "2026-11-26"):
            with self.assertRaisesRegex(cli.FailNoRetry, f"Day {day} has not ended yet"):
                cli.require_ended(day, today)

    def test_lake_await_takes_a_duration_or_off(self):
        self.assertEqual(["lake", "await", "--timeout", "30m"], cli.lake_await_args(None))
        self.assertEqual(["lake", "await", "--timeout", "90s"], cli.lake_await_args(" 90s "))
        self.assertIsNone(cli.lake_await_args("off"))
        for bad in ["30", "soon", "30m; rm -rf /", "-5m", ""]:
            with self.assertRaisesRegex(cli.FailNoRetry, "tidemark_lake_await", msg=repr(bad)):
                cli.lake_await_args(bad)

    def test_days_between_includes_both_ends(self):
        self.assertEqual(["2026-02-27", "2026-02-28", "2026-03-01"], cli.days_between("2026-02-27", "2026-03-01"))
        self.assertEqual(["2026-01-01"], cli.days_between("2026-01-01", "2026-01-01"))

    def test_days_between_refuses_reversed_and_oversized_ranges(self):
        with self.assertRaisesRegex(cli.FailNoRetry, "to 2026-01-01 is before from 2026-01-02"):
            cli.days_between("2026-01-02", "2026-01-01")
        with self.assertRaisesRegex(cli.FailNoRetry, "at most 366"):
            cli.days_between("2024-01-01", "2026-01-01")

    def test_parse_report_takes_the_json_after_progress_lines(self):
        out = "loading day 2026-01-05\n[=====] 100%\n{\"date\": \"2026-01-05\", \"relativeDrift\": 0.012}\n"
        self.assertEqual({"date": "2026-01-05", "relativeDrift": 0.012}, cli.parse_report(out))
        self.assertEqual({"a": 1}, cli.parse_report('{\n  "a": 1\n}\n'))
        with self.assertRaisesRegex(cli.FailNoRetry, "printed no JSON object"):
            cli.parse_report("done\n")

    # The shape of DriftReport.toMap as `tidemark reconcile --date D --json` prints it (pretty).
    RECONCILE_JSON = """{
  "run_id" : "r-1",
  "day" : "2026-11-24",
  "outcome" : "replaced",
  "drifted" : true,
  "metrics" : {
    "user_page_counts" : {
      "batch_total" : 1000,
      "speed_total" : 990,
      "relative_drift" : 0.01,
      "causes" : { "too_late" : 10 },
      "top_differences" : [ { "user_id" : "u1", "diff" : 3 } ]
    },
    "page_view_counts" : {
      "batch_total" : 1000,
      "speed_total" : 970,
      "relative_drift" : 0.03,
      "top_differences" : [ ]
    }
  }
}
"""

    def test_reads_the_largest_table_drift_of_the_real_reconcile_report(self):
        out = "INFO SparkContext: Running Spark version 4.0.1\n{not json\n" + self.RECONCILE_JSON
        report = cli.parse_report(out)
        self.assertEqual("2026-11-24", report["day"])
        self.assertEqual(0.03, cli.relative_drift(report))
        with self.assertRaisesRegex(cli.FailNoRetry, r"relative drift 3.0000% exceeds the threshold 2.0000%"):
            cli.check_drift("2026-11-24", report, 0.02)

    def test_relative_drift_reads_the_known_spellings(self):
        self.assertEqual(0.5, cli.relative_drift({"relativeDrift": 0.5}))
        self.assertEqual(0.25, cli.relative_drift({"relative_drift": 0.25}))
        self.assertEqual(0.0, cli.relative_drift({"drift": {"relative": 0}}))
        self.assertEqual(0.0, cli.relative_drift({"metrics": {"user_page_counts": {"relative_drift": 0.0}}}))
        with self.assertRaisesRegex(cli.FailNoRetry, "no relative drift; keys: date"):
            cli.relative_drift({"date": "2026-01-05"})

    def test_check_drift_fails_only_above_the_threshold(self):
        self.assertEqual(0.05, cli.check_drift("2026-01-05", {"relativeDrift": 0.05}, 0.05))
        with self.assertRaisesRegex(cli.FailNoRetry, r"Drift alert for 2026-01-05: relative drift 5.0100% exceeds"):
            cli.check_drift("2026-01-05", {"relativeDrift": 0.0501}, 0.05)

    def test_threshold_must_be_a_non_negative_number(self):
        self.assertEqual(0.1, cli.parse_threshold("0.1"))
        for bad in ["five", "-1", None]:
            with self.assertRaises(cli.FailNoRetry, msg=repr(bad)):
                cli.parse_threshold(bad)

    def test_extra_env_accepts_only_tidemark_variables(self):
        self.assertEqual({"TIDEMARK_BATCH_SPARK_MASTER": "spark://h:7077"},
                         cli.extra_env('{"TIDEMARK_BATCH_SPARK_MASTER": "spark://h:7077"}'))
        self.assertEqual({}, cli.extra_env(None))
        for bad in ['{"PATH": "/tmp"}', '["x"]', "not json", '{"TIDEMARK_x": "1"}']:
            with self.assertRaises(cli.FailNoRetry, msg=bad):
                cli.extra_env(bad)

    def test_extra_args_must_be_a_list_of_strings(self):
        self.assertEqual(["--older-than", "7d"], cli.extra_args('["--older-than", "7d"]'))
        for bad in ['"--x"', "[1]", "nope"]:
            with self.assertRaises(cli.FailNoRetry, msg=bad):
                cli.extra_args(bad)


class RunTest(unittest.TestCase):
    """cli.run with a stand-in launcher: arguments arrive exactly as given, never via a shell."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.launcher = os.path.join(self.tmp, "tidemark")
        self.record = os.path.join(self.tmp, "args")
        with open(self.launcher, "w") as f:
            f.write('#!/usr/bin/env bash\nfor a in "$@"; do printf "%s\\n" "$a"; done > "' + self.record + '"\n'
                    'echo "home=$TIDEMARK_HOME extra=$TIDEMARK_X"\n'
                    '[[ "$1" == fail ]] && { echo "Cannot reach ClickHouse at localhost:18123" >&2; exit 1; }\nexit 0\n')
        os.chmod(self.launcher, stat.S_IRWXU)
        self.variables = {"tidemark_cli": self.launcher, "tidemark_home": self.tmp, "tidemark_env": '{"TIDEMARK_X": "1"}'}

    def _variable(self, key, default=None):
        return self.variables.get(key, default)

    def test_arguments_reach_the_launcher_verbatim(self):
        with mock.patch.object(cli, "_variable", self._variable):
            out = cli.run(["lake", "maintain", "a b; rm -rf /", "$(touch pwned)"])
        with open(self.record) as f:
            self.assertEqual(["lake", "maintain", "a b; rm -rf /", "$(touch pwned)"], f.read().splitlines())
        self.assertIn(f"home={self.tmp} extra=1", out)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "pwned")))

    def test_non_zero_exit_is_a_retryable_error_with_the_last_line(self):
        with mock.patch.object(cli, "_variable", self._variable):
            with self.assertRaisesRegex(cli.TidemarkCliError, "tidemark fail exited with 1: Cannot reach ClickHouse"):
                cli.run(["fail"])

    def test_the_error_line_is_reported_rather_than_the_end_of_a_stack_trace(self):
        with open(self.launcher, "w") as f:
            f.write('#!/usr/bin/env bash\necho "error: org.apache.spark.SparkException: [FAILED_EXECUTE_UDF]" >&2\n'
                    'printf "\\tat org.apache.spark.rdd.RDD.iterator(RDD.scala:336)\\n\\t... 25 more\\n" >&2\nexit 1\n')
        with mock.patch.object(cli, "_variable", self._variable):
            with self.assertRaisesRegex(cli.TidemarkCliError,
                                        r"tidemark batch run exited with 1: error: org\.apache\.spark\.SparkException: \[FAILED_EXECUTE_UDF\]$"):
                cli.run(["batch", "run"])

    def test_timeout_stops_the_launcher(self):
        with open(self.launcher, "w") as f:
            f.write('#!/usr/bin/env bash\necho started\nexec sleep 30\n')
        with mock.patch.object(cli, "_variable", self._variable):
            started = dt.datetime.now()
            with self.assertRaises(subprocess.TimeoutExpired):
                cli.run(["batch", "run"], timeout_s=0.5)
            self.assertLess((dt.datetime.now() - started).total_seconds(), 10)

    def test_usage_errors_are_not_retried(self):
        with open(self.launcher, "w") as f:
            f.write('#!/usr/bin/env bash\necho "Unknown option: --dat" >&2\nexit 2\n')
        with mock.patch.object(cli, "_variable", self._variable):
            with self.assertRaisesRegex(cli.FailNoRetry, "exited with 2: Unknown option: --dat"):
                cli.run(["batch", "run", "--dat", "x"])

    def test_refusals_fail_without_retry_with_the_error_line(self):
        # `tidemark batch run` on a day with no record in the lake: exit 3 (ExitCodes.REFUSED).
        with open(self.launcher, "w") as f:
            f.write('#!/usr/bin/env bash\necho "error: No records for 2026-11-20 in lake.pageview_events'
                    ' (lake snapshot 7): nothing written" >&2\nexit 3\n')
        with mock.patch.object(cli, "_variable", self._variable):
            with self.assertRaises(cli.FailNoRetry) as raised:
                cli.run(["batch", "run", "--date", "2026-11-20"])
        self.assertEqual(
            "tidemark batch run --date 2026-11-20 exited with 3: error: No records for 2026-11-20 in"
            " lake.pageview_events (lake snapshot 7): nothing written", str(raised.exception))
        self.assertNotIsInstance(raised.exception, cli.TidemarkCliError)

    def test_no_retry_is_airflows_fail_exception(self):
        from airflow.exceptions import AirflowFailException

        self.assertIs(AirflowFailException, cli.FailNoRetry)
        self.assertEqual((2, 3), cli.PERMANENT_EXIT_CODES)

    def test_unset_launcher_fails_without_retry(self):
        self.variables.pop("tidemark_cli")
        with mock.patch.object(cli, "_variable", self._variable):
            with self.assertRaisesRegex(cli.FailNoRetry, "Airflow Variable tidemark_cli is not set"):
                cli.run(["batch", "run"])


if __name__ == "__main__":
    unittest.main()
