/**
 * Serving layer (issue 7): HTTP JSON API, live dashboard and drift audit views, Prometheus
 * metrics. {@link io.tidemark.serving.ServingMain} is {@code tidemark serve}; {@link
 * io.tidemark.serving.ServingServer} the server; {@code api} the routes and parameter validation;
 * {@code query} ClickHouse access as the read-only user, the count queries and the response
 * cache; {@code health} consumer lag from Kafka; {@code drift} the drift report tables (names in
 * {@code DriftTables}) and queries; {@code bench} the {@code bench serve} load generator.
 */
package io.tidemark.serving;
