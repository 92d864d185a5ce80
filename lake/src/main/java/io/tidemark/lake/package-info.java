/**
 * Kafka Connect + Iceberg archive of every raw event (issue 5).
 *
 * <p>Not built yet: the module exists so the reactor has the design's shape and the dependency
 * rules (layers depend only on shared modules) hold from the first commit.
 */
package io.tidemark.lake;
