"""Runs the Tidemark CLI from Airflow tasks.

Everything a task needs to know about the installation comes from Airflow Variables read at run
time (never at parse time, so parsing stays fast and DAG files never change per deployment):

  tidemark_cli                    path of the `tidemark` launcher (required)
  tidemark_home                   TIDEMARK_HOME and working directory (default: the launcher's folder)
  tidemark_env                    JSON object of extra TIDEMARK_* environment variables, e.g.
                                  {"TIDEMARK_BATCH_SPARK_MASTER": "spark://spark:7077"} to submit
                                  to a cluster instead of local mode
  tidemark_drift_alert_threshold  relative drift (0.05 = 5 %) above which tidemark_nightly fails
  tidemark_lake_maintain_args     JSON list of extra arguments for `tidemark lake maintain`

The CLI is started with an argument list, never through a shell, and every date is validated as
YYYY-MM-DD before it reaches the command line, so no text from a trigger's conf or params is ever
interpreted by a shell.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import subprocess
import threading
from typing import Any, Iterable

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ENV_KEY_RE = re.compile(r"^TIDEMARK_[A-Z0-9_]+$")
MAX_BACKFILL_DAYS = 366
DEFAULT_DRIFT_ALERT_THRESHOLD = 0.05

try:  # Airflow 3: failing without retries
    from airflow.exceptions import AirflowFailException as FailNoRetry
except ImportError:  # pragma: no cover - lets the pure helpers be tested without Airflow
    class FailNoRetry(Exception):  # type: ignore[no-redef]
        """Stand-in for AirflowFailException outside Airflow."""


class TidemarkCliError(RuntimeError):
    """The CLI exited with 1 (or another code not in PERMANENT_EXIT_CODES): retrying may help
    (a service was down, a commit conflicted)."""


# Exit codes after which a retry cannot help (io.tidemark.core.cli.ExitCodes): 2 = bad usage or
# configuration; 3 = Tidemark refused the request (no record of the day in the lake, a day inside
# the speed layer's lateness horizon, a reversed range). The task fails at once with
# AirflowFailException, so such a day does not hold tidemark_nightly through its retries.
PERMANENT_EXIT_CODES = (2, 3)


def parse_day(value: Any, name: str = "date") -> str:
    """Returns `value` if it is a real calendar day written YYYY-MM-DD, else fails without retry."""
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise FailNoRetry(f"Invalid {name} {value!r}: expected a UTC day as YYYY-MM-DD")
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        raise FailNoRetry(f"Invalid {name} {value!r}: no such day") from None
    return value


def require_ended(day: str, today: _dt.date | None = None) -> str:
    """Fails without retry for a UTC day that has not ended: no run can reconcile it yet (and
    `tidemark reconcile` also refuses a day inside the speed layer's lateness horizon)."""
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    if _dt.date.fromisoformat(parse_day(day)) >= today:
        raise FailNoRetry(f"Day {day} has not ended yet (UTC today is {today.isoformat()})")
    return day


def days_between(start: str, end: str) -> list[str]:
    """Every day from `start` to `end`, both included."""
    first = _dt.date.fromisoformat(parse_day(start, "from"))
    last = _dt.date.fromisoformat(parse_day(end, "to"))
    if last < first:
        raise FailNoRetry(f"Invalid range: to {end} is before from {start}")
    count = (last - first).days + 1
    if count > MAX_BACKFILL_DAYS:
        raise FailNoRetry(
            f"Range {start}..{end} has {count} days; at most {MAX_BACKFILL_DAYS} per backfill run"
        )
    return [(first + _dt.timedelta(days=i)).isoformat() for i in range(count)]


def parse_report(output: str) -> dict:
    """The JSON object printed by `tidemark reconcile --json`: the last JSON object in the output
    that starts at the beginning of a line (it may be pretty-printed over many lines, and log or
    progress lines may come before it)."""
    decoder = json.JSONDecoder()
    found = None
    for i, ch in enumerate(output):
        if ch == "{" and (i == 0 or output[i - 1] == "\n"):
            try:
                doc, _ = decoder.raw_decode(output, i)
            except ValueError:
                continue
            if isinstance(doc, dict):
                found = doc
    if found is None:
        raise FailNoRetry("tidemark reconcile --json printed no JSON object")
    return found


def relative_drift(report: dict) -> float:
    """The report's relative drift, a fraction (0.01 = 1 %): the top-level `relativeDrift`,
    `relative_drift` or `drift.relative` if present, else the largest `relative_drift` of the
    per-table entries under `metrics` (user_page_counts, page_view_counts), which is what
    `tidemark reconcile --json` prints."""
    for path in (("relativeDrift",), ("relative_drift",), ("drift", "relative")):
        node: Any = report
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if _is_number(node):
            return float(node)
    metrics = report.get("metrics")
    if isinstance(metrics, dict):
        values = [m.get("relative_drift") for m in metrics.values() if isinstance(m, dict)]
        values = [float(v) for v in values if _is_number(v)]
        if values:
            return max(values)
    raise FailNoRetry(
        "tidemark reconcile --json printed no relative drift; keys: " + ", ".join(sorted(report))
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_drift(day: str, report: dict, threshold: float) -> float:
    """Fails (no retry: rerunning cannot change what drifted) when the drift exceeds `threshold`."""
    drift = relative_drift(report)
    if drift > threshold:
        raise FailNoRetry(
            f"Drift alert for {day}: relative drift {drift:.4%} exceeds the threshold {threshold:.4%}"
            f" (Variable tidemark_drift_alert_threshold). ClickHouse was reconciled; see"
            f" `tidemark drift --date {day} --details`"
        )
    return drift


def parse_threshold(raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise FailNoRetry(
            f"Variable tidemark_drift_alert_threshold is {raw!r}: expected a fraction such as 0.05"
        ) from None
    if not 0 <= value:
        raise FailNoRetry(f"Variable tidemark_drift_alert_threshold is {raw!r}: must be >= 0")
    return value


def extra_env(raw: Any) -> dict[str, str]:
    """Validates the tidemark_env Variable: a JSON object of TIDEMARK_* names to strings."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise FailNoRetry("Variable tidemark_env is not JSON: expected an object") from None
    if not isinstance(raw, dict):
        raise FailNoRetry("Variable tidemark_env must be a JSON object of TIDEMARK_* variables")
    env = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not ENV_KEY_RE.match(key):
            raise FailNoRetry(f"Variable tidemark_env: {key!r} is not a TIDEMARK_* variable name")
        env[key] = str(value)
    return env


def extra_args(raw: Any) -> list[str]:
    """Validates a JSON list of strings (passed as arguments, never through a shell)."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise FailNoRetry("Variable tidemark_lake_maintain_args is not a JSON list") from None
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise FailNoRetry("Variable tidemark_lake_maintain_args must be a JSON list of strings")
    return list(raw)


DEFAULT_LAKE_AWAIT = "30m"


def lake_await_args(setting: Any) -> list[str] | None:
    """The `tidemark lake await` arguments for the Variable tidemark_lake_await: a duration such as
    30m (how long the nightly waits for the archive to catch up with Kafka before the batch), or off
    for a lake filled only by `lake import` (no archive reads the topic). None means off."""
    text = str(setting if setting is not None else DEFAULT_LAKE_AWAIT).strip()
    if text == "off":
        return None
    if not re.fullmatch(r"\d+(ms|s|m|h)", text):
        raise FailNoRetry(f"Variable tidemark_lake_await is {text!r}: use a duration such as 30m, or off")
    return ["lake", "await", "--timeout", text]


def _variable(key: str, default: Any = None) -> Any:
    from airflow.sdk import Variable

    return Variable.get(key, default=default)


def settings() -> tuple[str, str, dict[str, str]]:
    """(launcher, home, extra environment) from the Airflow Variables."""
    cli = _variable("tidemark_cli")
    if not cli:
        raise FailNoRetry(
            "Airflow Variable tidemark_cli is not set: the path of the tidemark launcher,"
            " e.g. /opt/tidemark/tidemark"
        )
    if not os.path.isfile(cli) or not os.access(cli, os.X_OK):
        raise FailNoRetry(f"Variable tidemark_cli is {cli!r}, which is not an executable file")
    home = _variable("tidemark_home") or os.path.dirname(os.path.abspath(cli))
    if not os.path.isdir(home):
        raise FailNoRetry(f"Variable tidemark_home is {home!r}, which is not a folder")
    return cli, home, extra_env(_variable("tidemark_env"))


def _stop(proc: subprocess.Popen, grace_s: float = 30) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args: Iterable[str], timeout_s: float | None = None) -> str:
    """Runs `tidemark <args>`, streams its output to the task log and returns its stdout (the
    command's result; stderr carries logs and progress and is only logged).

    Raises FailNoRetry (AirflowFailException: no retry) when the CLI exits with 2 or 3, and
    TidemarkCliError (retried by Airflow) for any other non-zero exit code.
    """
    cli, home, env_extra = settings()
    argv = [cli, *args]
    env = dict(os.environ)
    env.update(env_extra)
    env["TIDEMARK_HOME"] = home
    print("tidemark: running " + " ".join(argv), flush=True)
    lines: list[str] = []
    err_lines: list[str] = []
    # The batch and reconcile tools print their one-line error as "error: ..." and, for an
    # unexpected exception, a stack trace after it: the last line would be "... 25 more".
    error_line: list[str] = []
    with subprocess.Popen(
        argv,
        cwd=home,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None

        def copy_stderr(stream=proc.stderr) -> None:
            for line in stream:
                if not error_line and line.startswith("error: "):
                    error_line.append(line.strip())
                err_lines.append(line)
                del err_lines[:-50]
                print(line, end="", flush=True)

        err_thread = threading.Thread(target=copy_stderr, daemon=True)
        err_thread.start()
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            _stop(proc)

        timer = threading.Timer(timeout_s, on_timeout) if timeout_s else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            for line in proc.stdout:
                lines.append(line)
                print(line, end="", flush=True)
            rc = proc.wait()
            err_thread.join(timeout=10)
        except BaseException:
            # Task timeout, SIGTERM from Airflow (a cleared or killed task): stop the CLI too rather
            # than leave it running unsupervised. Tidemark's commands are crash-safe and resumable.
            _stop(proc)
            raise
        finally:
            if timer:
                timer.cancel()
        if timed_out.is_set():
            raise subprocess.TimeoutExpired(argv, timeout_s)
    output = "".join(lines)
    if rc != 0:
        # Tidemark prints its one-line error on stderr: the "error: " line if there is one, else the
        # last line of stderr or stdout.
        last = error_line[0] if error_line else next(
            (l.strip() for l in reversed(lines + err_lines) if l.strip()), "no output")
        message = f"tidemark {' '.join(args)} exited with {rc}: {last}"
        if rc in PERMANENT_EXIT_CODES:
            raise FailNoRetry(message)
        raise TidemarkCliError(message)
    return output
