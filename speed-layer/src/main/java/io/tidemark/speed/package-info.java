/**
 * The speed layer: a Flink 2.x DataStream job from Kafka page views to 1-minute counts in
 * ClickHouse ({@link io.tidemark.speed.SpeedLayerJob}), its options ({@link
 * io.tidemark.speed.SpeedOptions}), metrics ({@link io.tidemark.speed.SpeedMetrics}) and entry
 * point ({@link io.tidemark.speed.SpeedLayerMain}). Sub-packages by role: {@code source} (Kafka
 * records and validation), {@code count} (dedup and window counts), {@code sink} (ClickHouse and
 * Kafka side outputs).
 */
package io.tidemark.speed;
