/**
 * Metric definitions shared by every layer: window size and assignment, day partitioning, the
 * counted keys and the dedup rule. The speed and batch layers both call this code, which is what
 * a parity test relies on.
 */
package io.tidemark.core.metric;
