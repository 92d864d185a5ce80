/**
 * Tidemark's storage schema in one place: {@link io.tidemark.schema.Migrations#run} (the entry
 * point of {@code tidemark migrate}) brings ClickHouse and Kafka to this build's schema and
 * returns a {@link io.tidemark.schema.MigrationReport}; {@link io.tidemark.schema.StoreException}
 * and its subclasses say whether a failed call is worth retrying.
 */
package io.tidemark.schema;
