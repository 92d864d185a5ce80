package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveConnectorConfigTest {
  /** The configuration the checked-in JSON is generated from: endpoints and secrets as env references. */
  static final TidemarkConfig PLACEHOLDERS = TidemarkConfig.of(Map.of(
      "tidemark.kafka.bootstrap", "${env:TIDEMARK_KAFKA_BOOTSTRAP}",
      "tidemark.s3.endpoint", "${env:TIDEMARK_S3_ENDPOINT}",
      "tidemark.catalog.uri", "${env:TIDEMARK_CATALOG_URI}",
      "tidemark.s3.access-key", "${env:TIDEMARK_S3_ACCESS_KEY}",
      "tidemark.s3.secret-key", "${env:TIDEMARK_S3_SECRET_KEY}"));

  @Test
  void checkedInConnectorJsonIsWhatTheStandaloneWorkerRuns() throws Exception {
    Map<String, Object> file = new ObjectMapper().readValue(
        Files.readString(Path.of("connect/tidemark-lake-connector.json")), new TypeReference<>() {});
    assertThat(file.get("config"))
        .as("lake/connect/tidemark-lake-connector.json is stale: regenerate it with `lake connector-config` (see docs/lake.md)")
        .isEqualTo(ArchiveConnectorConfig.connector(PLACEHOLDERS));
  }

  @Test
  void connectorGuardsExactlyOnce() {
    Map<String, String> c = ArchiveConnectorConfig.connector(PLACEHOLDERS);
    assertThat(c).containsEntry("tasks.max", "1")
        .containsEntry("iceberg.tables.auto-create-enabled", "false")
        .containsEntry("value.converter", ArchiveConnectorConfig.BYTE_ARRAY_CONVERTER)
        .containsEntry("errors.tolerance", "none")
        .containsEntry("transforms.pageview.type", PageViewRecordTransform.class.getName());
  }

  @Test
  void standaloneWorkerDiscoversPluginsByServiceLoading() {
    Map<String, String> w = ArchiveConnectorConfig.standaloneWorker(PLACEHOLDERS, "/tmp/x.offsets");
    assertThat(w).containsEntry("plugin.discovery", "service_load")
        .containsEntry("offset.storage.file.filename", "/tmp/x.offsets")
        .containsEntry("bootstrap.servers", "${env:TIDEMARK_KAFKA_BOOTSTRAP}");
  }
}
