package io.tidemark.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.event.PageViewAvro;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReaderSchemaTest {
  @Test
  void newestReaderSchemaIsTheOneCoreDecodesWith() {
    assertThat(ReaderSchema.latest().parsed()).isEqualTo(PageViewAvro.SCHEMA);
  }

  @Test
  void versionsStrictlyIncreaseFromOne() {
    List<Integer> versions = ReaderSchema.all().stream().map(ReaderSchema::version).toList();
    assertThat(versions.get(0)).isEqualTo(1);
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void versionOneIsTheProducersSchemaAsPublished() {
    // registered verbatim: producers that registered this text themselves get the same id
    assertThat(ReaderSchema.all().get(0).schema()).isEqualTo(
        "{\"type\": \"record\", \"name\": \"PageView\", \"fields\": [\n"
            + "  {\"name\": \"event_id\", \"type\": \"string\"}, {\"name\": \"user_id\", \"type\": \"string\"},\n"
            + "  {\"name\": \"page_url\", \"type\": \"string\"},\n"
            + "  {\"name\": \"timestamp\", \"type\": \"long\", \"logicalType\": \"timestamp-millis\"}]}\n");
  }

  @Test
  void compatibilityLevelIsValidatedNamingTheKey() {
    assertThat(SubjectMigrator.checkedLevel("backward_transitive")).isEqualTo("BACKWARD_TRANSITIVE");
    assertThatThrownBy(() -> SubjectMigrator.checkedLevel("LOOSE"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Unknown compatibility level 'LOOSE' in tidemark.schema-registry.compatibility"
            + " (TIDEMARK_SCHEMA_REGISTRY_COMPATIBILITY): use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
            + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE");
  }
}
