/**
 * Drift measurement between batch and ClickHouse, and atomic day-partition replacement (issue 6).
 *
 * <p>Not built yet: the module exists so the reactor has the design's shape and the dependency
 * rules (layers depend only on shared modules) hold from the first commit.
 */
package io.tidemark.reconcile;
