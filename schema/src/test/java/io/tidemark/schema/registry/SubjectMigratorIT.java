package io.tidemark.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.schema.registry.SubjectMigrator.SchemaOutcome;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * migrate's registry part and schema check against a real registry (the local stack's Apicurio,
 * or TIDEMARK_SCHEMA_REGISTRY_URL). Each test uses a subject of its own.
 */
class SubjectMigratorIT {
  private static final String REFERRER =
      "{\"type\":\"record\",\"name\":\"PageView\",\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"},"
          + "{\"name\":\"user_id\",\"type\":\"string\"},{\"name\":\"page_url\",\"type\":\"string\"},"
          + "{\"name\":\"timestamp\",\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},"
          + "{\"name\":\"referrer\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
  private static final String NO_PAGE_URL =
      "{\"type\":\"record\",\"name\":\"PageView\",\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"},"
          + "{\"name\":\"user_id\",\"type\":\"string\"},{\"name\":\"timestamp\",\"type\":\"long\"}]}";
  private static final String STRING_TIMESTAMP =
      "{\"type\":\"record\",\"name\":\"PageView\",\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"},"
          + "{\"name\":\"user_id\",\"type\":\"string\"},{\"name\":\"page_url\",\"type\":\"string\"},"
          + "{\"name\":\"timestamp\",\"type\":\"string\"}]}";

  private static TidemarkConfig config(String subject) {
    return TestServices.get(Service.SCHEMA_REGISTRY).config().with(SchemaRegistryOptions.SUBJECT, subject);
  }

  private static String subject() {
    return "it_" + UUID.randomUUID().toString().substring(0, 8) + "-value";
  }

  @Test
  void firstRunRegistersTheReaderSchemaAndSetsTheLevelSecondRunChangesNothing() {
    String subject = subject();
    TidemarkConfig cfg = config(subject);
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);

    SubjectMigrator.Report first = SubjectMigrator.fromConfig(cfg).migrate();

    int id = registry.version(subject, 1).id();
    assertThat(first.schemas()).containsExactly(new SchemaOutcome(1, ReaderSchema.all().get(0).name(), 1, id, true));
    assertThat(first.level()).isEqualTo("BACKWARD");
    assertThat(first.levelChanged()).isTrue();
    assertThat(first.changedAnything()).isTrue();
    assertThat(registry.versions(subject)).containsExactly(1);
    assertThat(registry.compatibilityLevel(subject)).isEqualTo("BACKWARD");
    assertThat(new Schema.Parser().parse(registry.schemaById(id))).isEqualTo(PageViewAvro.SCHEMA);

    SubjectMigrator.Report second = SubjectMigrator.fromConfig(cfg).migrate();

    assertThat(second.schemas()).containsExactly(new SchemaOutcome(1, ReaderSchema.all().get(0).name(), 1, id, false));
    assertThat(second.levelChanged()).isFalse();
    assertThat(second.previousLevel()).isEqualTo("BACKWARD");
    assertThat(second.changedAnything()).isFalse();
    assertThat(registry.versions(subject)).containsExactly(1);
  }

  @Test
  void producersRegisteringTheSameSchemaWithOtherWhitespaceGetTheSameId() {
    String subject = subject();
    TidemarkConfig cfg = config(subject);
    SubjectMigrator.fromConfig(cfg).migrate();
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    int id = registry.version(subject, 1).id();
    assertThat(registry.register(subject, PageViewAvro.SCHEMA.toString())).isEqualTo(id);
    assertThat(registry.versions(subject)).containsExactly(1);
  }

  @Test
  void configuredLevelIsSetAndALaterChangeIsApplied() {
    String subject = subject();
    TidemarkConfig cfg = config(subject).with(SchemaRegistryOptions.COMPATIBILITY, "full_transitive");
    assertThat(SubjectMigrator.fromConfig(cfg).migrate().level()).isEqualTo("FULL_TRANSITIVE");
    SubjectMigrator.Report back = SubjectMigrator.fromConfig(config(subject)).migrate();
    assertThat(back.levelChanged()).isTrue();
    assertThat(back.previousLevel()).isEqualTo("FULL_TRANSITIVE");
    assertThat(SchemaRegistryClient.fromConfig(cfg).compatibilityLevel(subject)).isEqualTo("BACKWARD");
  }

  @Test
  void checkAcceptsAnOptionalFieldWithADefault() {
    CandidateCheck.Result r = check(REFERRER);
    assertThat(r.compatible()).isTrue();
    assertThat(r.latestVersion()).isEqualTo(1);
    assertThat(r.reason()).isEqualTo("accepted as version 2 of " + r.subject() + " under BACKWARD, and Tidemark's reader schema reads its records");
  }

  @Test
  void checkRejectsDroppingPageUrlThatTheRegistryAloneWouldAccept() {
    CandidateCheck.Result r = check(NO_PAGE_URL);
    assertThat(r.registryCompatible()).as("BACKWARD allows deleting a field").isTrue();
    assertThat(r.readerCompatible()).isFalse();
    assertThat(r.compatible()).isFalse();
    assertThat(r.reason()).isEqualTo("Tidemark's reader schema cannot read its records: field page_url is missing and has no default at /fields/2");
  }

  @Test
  void checkRejectsAStringTimestampWithTheReason() {
    CandidateCheck.Result r = check(STRING_TIMESTAMP);
    assertThat(r.registryCompatible()).isFalse();
    assertThat(r.readerCompatible()).isFalse();
    assertThat(r.reason()).isEqualTo(
        "the registry refuses it as version 2 of " + r.subject() + " under BACKWARD: it cannot read records of version 1:"
            + " reader type: STRING not compatible with writer type: LONG at /fields/3/type;"
            + " Tidemark's reader schema cannot read its records: reader type: LONG not compatible with writer type: STRING at /fields/3/type");
  }

  @Test
  void migrateRefusesWhenTheSubjectsLevelRejectsTheReaderSchema() {
    String subject = subject();
    TidemarkConfig cfg = config(subject);
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    registry.register(subject, STRING_TIMESTAMP);
    registry.setCompatibilityLevel(subject, "BACKWARD");
    assertThatThrownBy(() -> SubjectMigrator.fromConfig(cfg).migrate())
        .isInstanceOf(RegistryRefusedException.class)
        .hasMessageStartingWith("Cannot register reader schema 1 (" + ReaderSchema.all().get(0).name() + ") under subject " + subject
            + ": the registry refuses it as incompatible with the subject's versions (Schema registry at " + registry.url());
    assertThat(registry.versions(subject)).containsExactly(1);
  }

  @Test
  void unreachableRegistryIsRetryableAndNamesTheKey() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TidemarkConfig cfg = TidemarkConfig.of(java.util.Map.of()).with(SchemaRegistryOptions.URL, "http://127.0.0.1:" + port + "/apis/ccompat/v7");
    assertThatThrownBy(() -> SubjectMigrator.fromConfig(cfg).migrate())
        .isInstanceOfSatisfying(RegistryUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageStartingWith("Cannot look up reader schema 1 under subject pageview_events-value: Schema registry at http://127.0.0.1:" + port)
        .hasMessageEndingWith("(check tidemark.schema-registry.url / TIDEMARK_SCHEMA_REGISTRY_URL, or run ./tidemark stack up)");
  }

  private static CandidateCheck.Result check(String candidate) {
    String subject = subject();
    TidemarkConfig cfg = config(subject);
    SubjectMigrator.fromConfig(cfg).migrate();
    CandidateCheck.Result r = new CandidateCheck(SchemaRegistryClient.fromConfig(cfg), subject, ReaderSchema.latest().parsed())
        .check(new Schema.Parser().parse(candidate));
    assertThat(r.subject()).isEqualTo(subject);
    assertThat(r.level()).isEqualTo("BACKWARD");
    assertThat(SchemaRegistryClient.fromConfig(cfg).versions(subject)).as("a check registers nothing").containsExactly(1);
    return r;
  }
}
