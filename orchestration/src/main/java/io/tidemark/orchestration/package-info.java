/**
 * Orchestration: Airflow DAGs (in {@code orchestration/dags/}) for the nightly reconciliation,
 * backfills and lake maintenance, a local Airflow for the stack ({@link
 * io.tidemark.orchestration.stack.AirflowStack}), and the Java client that drives any Airflow 3
 * through its REST API v2 ({@link io.tidemark.orchestration.client.AirflowClient}, over a client
 * generated at build time from the spec kept in {@code src/main/openapi}).
 */
package io.tidemark.orchestration;
