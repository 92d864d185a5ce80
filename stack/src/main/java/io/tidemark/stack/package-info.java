/**
 * The local stack: Tidemark's real services (Kafka, ClickHouse, an S3-compatible store, the
 * Iceberg catalog) as detached local processes with project-local data, and {@link
 * io.tidemark.stack.Endpoints}, which points every command at either those or external deployments.
 */
package io.tidemark.stack;
