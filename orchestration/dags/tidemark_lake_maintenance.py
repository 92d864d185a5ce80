"""tidemark_lake_maintenance: weekly compaction and snapshot expiry of the Iceberg lake.

Runs `tidemark lake maintain` (plus the JSON list in the Variable tidemark_lake_maintain_args)
every Sunday at 03:00 UTC, away from the nightly reconcile at 00:20.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from _tidemark import cli


@dag(
    dag_id="tidemark_lake_maintenance",
    description="Weekly compaction and snapshot expiry of the Iceberg lake",
    schedule=CronTriggerTimetable("0 3 * * 0", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "tidemark",
        "retries": 1,
        "retry_delay": dt.timedelta(minutes=15),
        "execution_timeout": dt.timedelta(hours=3),
    },
    tags=["tidemark"],
    doc_md=__doc__,
)
def tidemark_lake_maintenance():
    @task
    def maintain() -> None:
        args = cli.extra_args(cli._variable("tidemark_lake_maintain_args"))
        cli.run(["lake", "maintain", *args])

    maintain()


tidemark_lake_maintenance()
