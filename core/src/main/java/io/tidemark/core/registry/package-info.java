/**
 * Talking to a schema registry through the Confluent Schema Registry REST API: the one client every
 * layer that decodes Avro (speed, lake, batch) and the registry commands (migrate, schema check,
 * schema list) share.
 */
package io.tidemark.core.registry;
