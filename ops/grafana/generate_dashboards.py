#!/usr/bin/env python3
"""Writes ops/grafana/dashboards/*.json. Edit the panels here, run it, commit both."""
import json
import os

DS = {"type": "prometheus", "uid": "tidemark-prometheus"}
_id = [0]


def panel(title, exprs, unit="short", x=0, y=0, w=12, h=8, kind="timeseries", description="", thresholds=None):
    _id[0] += 1
    p = {
        "id": _id[0], "type": kind, "title": title, "description": description, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [{"refId": chr(65 + i), "datasource": DS, "expr": e, "legendFormat": l} for i, (e, l) in enumerate(exprs)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {"reduceOptions": {"calcs": ["lastNotNull"]}},
    }
    if thresholds:
        p["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": thresholds}
        p["fieldConfig"]["defaults"]["color"] = {"mode": "thresholds"}
    return p


def dashboard(uid, title, panels, description):
    return {
        "uid": uid, "title": title, "description": description, "tags": ["tidemark"], "timezone": "utc",
        "schemaVersion": 39, "version": 1, "editable": True, "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"}, "panels": panels,
        "templating": {"list": []}, "annotations": {"list": []},
    }


F = "flink_taskmanager_job_task_operator_"
# The Kafka source's deserializer gets the source reader's metric group plus "deserializer"
# (PageViewDeserializer counts valid and invalid records there); OpsScrapeTargetsIT scrapes them.
D = F + "deserializer_"
green_red = lambda limit: [{"color": "green", "value": None}, {"color": "red", "value": limit}]

pipeline = dashboard("tidemark-pipeline", "Tidemark pipeline", [
    panel("Throughput: events in / counted per second",
          [(f"sum(rate({D}tidemark_validEvents[1m]))", "valid events/s"),
           (f"sum(rate({D}tidemark_invalidEvents[1m]))", "invalid (DLQ) events/s"),
           (f"sum(rate({F}tidemark_lateEvents[1m]))", "too late events/s"),
           (f"sum(rate({F}tidemark_duplicateEvents[1m]))", "duplicates/s")],
          unit="ops", x=0, y=0, description="Speed layer source and count operators (SpeedMetrics)."),
    panel("Consumer lag (records)",
          [(f"max({F}KafkaSourceReader_KafkaConsumer_records_lag_max)", "speed layer (Flink Kafka source)"),
           (f"sum({F}pendingRecords)", "speed layer pending records"),
           ("max by (group) (tidemark_serving_kafka_consumer_lag_records)", "committed lag: {{group}}"),
           ("max by (client_id) (kafka_consumer_fetch_manager_records_lag_max)", "lake: {{client_id}}")],
          x=12, y=0, description="Flink's Kafka source; committed-offset lag of the speed and lake consumer groups (serving reads it from Kafka's admin API); the Connect worker's sink consumer through the JMX exporter (ops/prometheus/connect-jmx-exporter.yml)."),
    panel("Checkpoint duration",
          [("max(flink_jobmanager_job_lastCheckpointDuration)", "last checkpoint"),
           ("max(flink_jobmanager_job_lastCheckpointSize)", "size (bytes, right axis)")],
          unit="ms", x=0, y=8),
    panel("ClickHouse insert rate (rows/s)",
          [(f"sum({F}tidemark_clickhouseRowsWrittenPerSecond)", "speed layer sink"),
           (f"sum(rate({F}tidemark_clickhouseInsertErrors[5m]))", "insert errors/s"),
           ("sum(rate(ClickHouseProfileEvents_InsertedRows[1m]))", "server: inserted rows/s (ClickHouse 20.1+)")],
          unit="ops", x=12, y=8),
    panel("Freshness lag",
          [("max(tidemark_serving_freshness_lag_seconds)", "wall clock - newest window (serving)"),
           (f"max({F}tidemark_freshnessMillis{{quantile=\"0.99\"}}) / 1000", "event to ClickHouse, p99 (speed layer)")],
          unit="s", x=0, y=16, description="Red above 120 s: the dashboard's stale badge and the TidemarkSpeedLayerStale alert."),
    panel("Freshness now", [("max(tidemark_serving_freshness_lag_seconds)", "lag")], unit="s", x=12, y=16, w=4, kind="stat",
          thresholds=green_red(120)),
    panel("Drift of the last reconciled day", [("tidemark_serving_drift_last_relative_drift", "relative drift")], unit="percentunit",
          x=16, y=16, w=4, kind="stat", thresholds=green_red(0.01)),
    panel("Last reconcile run", [("time() - tidemark_serving_reconcile_last_finished_seconds", "age")], unit="s",
          x=20, y=16, w=4, kind="stat", thresholds=green_red(36 * 3600)),
    panel("Drift per reconciled day",
          [("tidemark_serving_drift_last_abs_drift", "|batch - speed| (events)")],
          x=0, y=24, w=24, description="Newest reconciled day's latest run, read by the serving layer from drift_reports; the dashboard's /#/drift page has every day and its per-key detail."),
], "Speed layer, lake and reconciliation: throughput, lag, checkpoints, ClickHouse inserts, freshness, drift.")

R = "tidemark_serving_http_requests_seconds"
serving = dashboard("tidemark-serving", "Tidemark serving", [
    panel("Requests per second by route", [(f"sum by (route) (rate({R}_count[1m]))", "{{route}}")], unit="reqps", x=0, y=0),
    panel("Latency p50 / p99 (API)",
          [(f"histogram_quantile(0.5, sum by (le) (rate({R}_bucket{{route=~\"/api/.*\"}}[5m])))", "p50"),
           (f"histogram_quantile(0.99, sum by (le) (rate({R}_bucket{{route=~\"/api/.*\"}}[5m])))", "p99")],
          unit="s", x=12, y=0),
    panel("HTTP errors by status", [(f"sum by (status) (rate({R}_count{{status=~\"[45]..\"}}[5m]))", "{{status}}")], unit="reqps", x=0, y=8),
    panel("ClickHouse queries and errors",
          [("sum by (query) (rate(tidemark_serving_clickhouse_queries_seconds_count[1m]))", "{{query}}"),
           ("sum by (query, reason) (rate(tidemark_serving_clickhouse_query_errors_total[5m]))", "errors {{query}} {{reason}}")],
          unit="ops", x=12, y=8),
    panel("ClickHouse query p99 by query",
          [("histogram_quantile(0.99, sum by (le, query) (rate(tidemark_serving_clickhouse_queries_seconds_bucket[5m])))", "{{query}}")],
          unit="s", x=0, y=16),
    panel("Cache hit ratio",
          [("sum(rate(tidemark_serving_cache_hits_total[5m])) / (sum(rate(tidemark_serving_cache_hits_total[5m])) + sum(rate(tidemark_serving_cache_misses_total[5m])))", "hit ratio")],
          unit="percentunit", x=12, y=16),
], "Serving layer: API request rate, latency, errors, ClickHouse queries, cache.")

here = os.path.dirname(os.path.abspath(__file__))
for d in (pipeline, serving):
    with open(os.path.join(here, "dashboards", d["uid"] + ".json"), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
