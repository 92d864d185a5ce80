"""tidemark_nightly: batch recompute and reconcile of one UTC day, every night.

The run with logical date D (`{{ ds }}`) processes day D. Its data interval is
[D 00:20, D+1 00:20) UTC, so it starts at D+1 00:20 UTC: after the point from which
`tidemark reconcile` accepts day D, D+1 00:12:05 UTC by default (the speed layer's lateness horizon,
tidemark.speed.out-of-orderness 5 s + tidemark.speed.allowed-lateness 2 min, plus
tidemark.reconcile.settle-time 10 min for the lake sink's last commits), with about 8 minutes of
margin. Before that point reconcile refuses the day (exit code 3) and the run fails without retry.
If you raise any of the three, move the cron minute accordingly (docs/operations.md).

Tasks: lake_archived (tidemark lake await: the archive holds every record the events topic held
when the task started; waits up to the Variable tidemark_lake_await, 30m by default, `off` for a
lake filled only by `lake import`; retried, so a stopped archive delays the night instead of
making the batch undercount and reconcile overwrite correct counts) -> batch (tidemark batch run
--date D) -> reconcile (tidemark reconcile --date D --json) -> check_drift (fails, without retry,
when the relative drift exceeds the Variable tidemark_drift_alert_threshold; ClickHouse has been
reconciled by then).
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import dag, get_current_context, task
from airflow.timetables.interval import CronDataIntervalTimetable

from _tidemark import cli

DEFAULT_ARGS = {
    "owner": "tidemark",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "execution_timeout": dt.timedelta(hours=2),
}


@dag(
    dag_id="tidemark_nightly",
    description="Batch recompute and reconcile of the previous UTC day, after the lateness horizon",
    schedule=CronDataIntervalTimetable("20 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=dt.timedelta(hours=6),
    default_args=DEFAULT_ARGS,
    tags=["tidemark"],
    doc_md=__doc__,
)
def tidemark_nightly():
    @task
    def lake_archived() -> None:
        args = cli.lake_await_args(cli._variable("tidemark_lake_await", cli.DEFAULT_LAKE_AWAIT))
        if args is None:
            print("tidemark: Variable tidemark_lake_await is off: not waiting for the archive")
            return
        cli.run(args)

    @task
    def batch() -> str:
        day = cli.require_ended(cli.parse_day(get_current_context()["ds"], "logical date"))
        cli.run(["batch", "run", "--date", day])
        return day

    @task
    def reconcile(day: str) -> dict:
        output = cli.run(["reconcile", "--date", cli.parse_day(day), "--json"])
        return cli.parse_report(output)

    @task(retries=0)
    def check_drift(day: str, report: dict) -> float:
        threshold = cli.parse_threshold(
            cli._variable("tidemark_drift_alert_threshold", cli.DEFAULT_DRIFT_ALERT_THRESHOLD)
        )
        drift = cli.check_drift(day, report, threshold)
        print(f"tidemark: drift of {day} is {drift:.4%}, threshold {threshold:.4%}")
        return drift

    day = batch()
    lake_archived() >> day
    check_drift(day, reconcile(day))


tidemark_nightly()
