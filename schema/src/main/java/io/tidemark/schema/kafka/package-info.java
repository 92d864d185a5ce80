/** Tidemark's Kafka topics, created idempotently by {@link io.tidemark.schema.kafka.KafkaTopics}. */
package io.tidemark.schema.kafka;
