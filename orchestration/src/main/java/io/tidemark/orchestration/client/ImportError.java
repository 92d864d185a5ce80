package io.tidemark.orchestration.client;

/**
 * A DAG file that failed to import.
 *
 * @param filename the file, relative to its bundle
 * @param stackTrace the error as Airflow recorded it
 */
public record ImportError(String filename, String stackTrace) {}
