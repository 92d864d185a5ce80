/**
 * Flink job that turns page-view events into near-real-time 1-minute counts in ClickHouse (issue 4).
 *
 * <p>Not built yet: the module exists so the reactor has the design's shape and the dependency
 * rules (layers depend only on shared modules) hold from the first commit.
 */
package io.tidemark.speed;
