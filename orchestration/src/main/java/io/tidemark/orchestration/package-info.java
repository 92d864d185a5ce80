/**
 * Airflow DAGs and the Java client that drives them (issue 8).
 *
 * <p>Not built yet: the module exists so the reactor has the design's shape and the dependency
 * rules (layers depend only on shared modules) hold from the first commit.
 */
package io.tidemark.orchestration;
