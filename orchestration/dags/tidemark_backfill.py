"""tidemark_backfill: batch + reconcile for every day of a range, one mapped task instance per day.

Trigger with params (conf) {"from": "2026-11-01", "to": "2026-11-07"}, both required (Airflow
refuses a trigger without them) and included, at most 366 days. Each day runs `tidemark backfill --from D --to D`, which skips days already reconciled with no
new lake data, so rerunning the DAG, or clearing its failed task instances, resumes where it stopped.
At most BACKFILL_CONCURRENCY days run at once across all runs (max_active_tis_per_dag), because each
day is a Spark job competing for the same machine or cluster.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from _tidemark import cli

BACKFILL_CONCURRENCY = 2

DEFAULT_ARGS = {
    "owner": "tidemark",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=2),
    "execution_timeout": dt.timedelta(hours=2),
}

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


@dag(
    dag_id="tidemark_backfill",
    description="Batch + reconcile for every UTC day from params.from to params.to",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        # No defaults: a trigger must name its range (a default would silently backfill that day).
        "from": Param(type="string", pattern=DATE_PATTERN, description="First UTC day (YYYY-MM-DD)"),
        "to": Param(type="string", pattern=DATE_PATTERN, description="Last UTC day, included"),
    },
    tags=["tidemark"],
    doc_md=__doc__,
)
def tidemark_backfill():
    @task(retries=0)
    def days() -> list[str]:
        params = get_current_context()["params"]
        days = cli.days_between(params["from"], params["to"])
        cli.require_ended(days[-1])
        return days

    @task(max_active_tis_per_dag=BACKFILL_CONCURRENCY)
    def backfill_day(day: str) -> str:
        day = cli.parse_day(day)
        cli.run(["backfill", "--from", day, "--to", day])
        return day

    backfill_day.expand(day=days())


tidemark_backfill()
