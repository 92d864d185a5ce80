package io.tidemark.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.schema.clickhouse.SchemaMigrator.Outcome;
import io.tidemark.schema.clickhouse.SchemaMigrator.Status;
import io.tidemark.schema.kafka.KafkaTopics.TopicOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationReportTest {

  private static MigrationReport report(Status migration, TopicOutcome.Status topic, int actual) {
    return new MigrationReport(
        "http://127.0.0.1:8123", "tidemark",
        List.of(new Outcome(1, "initial", migration)),
        "localhost:9092",
        List.of(new TopicOutcome("pageview_events", topic, 4, actual)));
  }

  @Test
  void firstRunReportsWhatItCreated() {
    MigrationReport r = report(Status.APPLIED, TopicOutcome.Status.CREATED, 4);
    assertThat(r.changedAnything()).isTrue();
    assertThat(r.toText()).isEqualTo("""
        ClickHouse http://127.0.0.1:8123, database tidemark
          migration 1 (initial): applied
        Kafka localhost:9092
          topic pageview_events: created with 4 partitions
        Migration complete.""");
  }

  @Test
  void secondRunSaysNothingToDo() {
    MigrationReport r = report(Status.ALREADY_APPLIED, TopicOutcome.Status.EXISTS, 4);
    assertThat(r.changedAnything()).isFalse();
    assertThat(r.appliedMigrations()).isEmpty();
    assertThat(r.createdTopics()).isEmpty();
    assertThat(r.toText()).endsWith("Nothing to do: schema and topics are up to date.");
  }

  @Test
  void warnsAboutTopicWithFewerPartitionsThanConfigured() {
    MigrationReport r = report(Status.ALREADY_APPLIED, TopicOutcome.Status.EXISTS_WITH_FEWER_PARTITIONS, 2);
    assertThat(r.warnings()).containsExactly(
        "Kafka topic pageview_events has 2 partitions, fewer than the configured 4; left unchanged (adding partitions re-maps keys)");
    assertThat(r.toText()).contains("WARNING: Kafka topic pageview_events has 2 partitions");
  }

  @Test
  void rendersJsonWithStableFieldNames() {
    assertThat(report(Status.APPLIED, TopicOutcome.Status.CREATED, 4).toJson()).isEqualTo(
        "{\"clickhouse\":{\"url\":\"http://127.0.0.1:8123\",\"database\":\"tidemark\",\"migrations\":"
            + "[{\"version\":1,\"name\":\"initial\",\"status\":\"APPLIED\"}]},"
            + "\"kafka\":{\"bootstrap\":\"localhost:9092\",\"topics\":[{\"topic\":\"pageview_events\","
            + "\"status\":\"CREATED\",\"configuredPartitions\":4,\"actualPartitions\":4}]},"
            + "\"changed\":true,\"warnings\":[]}");
  }
}
