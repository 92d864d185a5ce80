package io.tidemark.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSchema;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.Migration;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.schema.clickhouse.SchemaMigrator.Outcome;
import io.tidemark.schema.clickhouse.SchemaMigrator.Status;
import io.tidemark.schema.kafka.KafkaTopics;
import io.tidemark.schema.kafka.KafkaTopics.TopicOutcome;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

class MigrationsIT {

  @Test
  void secondRunAppliesNothingAndCreatesNoTopic() throws Exception {
    TidemarkConfig config = ItServices.isolatedConfig("mig").with(KafkaOptions.PARTITIONS, 3);
    String db = config.get(ClickHouseOptions.DATABASE);
    List<String> topics = KafkaTopics.topicNames(config);

    MigrationReport first = Migrations.run(config);

    assertThat(first.clickHouse()).containsExactlyElementsOf(ClickHouseSchema.migrations().stream()
        .map(m -> new Outcome(m.version(), m.name(), Status.APPLIED)).toList());
    assertThat(first.clickHouse().get(0))
        .isEqualTo(new Outcome(1, "raw events, count stores with staging, seed views", Status.APPLIED));
    assertThat(first.kafka()).extracting(TopicOutcome::topic, TopicOutcome::status, TopicOutcome::actualPartitions)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(topics.get(0), TopicOutcome.Status.CREATED, 3),
            org.assertj.core.groups.Tuple.tuple(topics.get(1), TopicOutcome.Status.CREATED, 3),
            org.assertj.core.groups.Tuple.tuple(topics.get(2), TopicOutcome.Status.CREATED, 3));
    assertThat(partitionsOnBroker(config, topics)).containsExactly(3, 3, 3);
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      assertThat(sql.queryRows(
              "SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name", Map.of("db", db)))
          .extracting(r -> r.get("name") + " " + r.get("engine"))
          .contains(
              "page_view_counts View",
              "page_view_counts_staging ReplacingMergeTree",
              "page_view_counts_store ReplacingMergeTree",
              "pageview_events_raw MergeTree",
              "schema_migrations MergeTree",
              "user_page_counts View",
              "user_page_counts_staging ReplacingMergeTree",
              "user_page_counts_store ReplacingMergeTree");
    }

    MigrationReport second = Migrations.run(config);

    assertThat(second.changedAnything()).isFalse();
    assertThat(second.appliedMigrations()).isEmpty();
    assertThat(second.createdTopics()).isEmpty();
    assertThat(second.clickHouse()).extracting(Outcome::status)
        .hasSize(ClickHouseSchema.migrations().size()).containsOnly(Status.ALREADY_APPLIED);
    assertThat(second.kafka()).extracting(TopicOutcome::status)
        .containsOnly(TopicOutcome.Status.EXISTS).hasSize(3);
    assertThat(second.toText()).endsWith("Nothing to do: schema and topics are up to date.");
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      assertThat(sql.queryLong("SELECT count() AS n FROM {t:Identifier}",
              Map.of("t", db + "." + ClickHouseSchema.MIGRATIONS_TABLE)))
          .isEqualTo(ClickHouseSchema.migrations().size());
    }
  }

  @Test
  void warnsWithoutFailingWhenExistingTopicHasFewerPartitions() throws Exception {
    TidemarkConfig config = ItServices.isolatedConfig("few").with(KafkaOptions.PARTITIONS, 2);
    String events = config.get(KafkaOptions.EVENTS_TOPIC);
    try (Admin admin = Admin.create(KafkaTopics.adminProperties(config))) {
      admin.createTopics(List.of(new NewTopic(events, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    List<TopicOutcome> outcomes = KafkaTopics.migrate(config);

    assertThat(outcomes.get(0)).isEqualTo(
        new TopicOutcome(events, TopicOutcome.Status.EXISTS_WITH_FEWER_PARTITIONS, 2, 1));
    assertThat(outcomes.subList(1, 3)).extracting(TopicOutcome::status)
        .containsExactly(TopicOutcome.Status.CREATED, TopicOutcome.Status.CREATED);
    MigrationReport report = new MigrationReport("http://ch", "db", List.of(), config.get(KafkaOptions.BOOTSTRAP), outcomes);
    assertThat(report.warnings()).containsExactly("Kafka topic " + events
        + " has 1 partitions, fewer than the configured 2; left unchanged (adding partitions re-maps keys)");
  }

  @Test
  void refusesToRunWhenAnAppliedMigrationWasEdited() {
    TidemarkConfig config = ItServices.isolatedConfig("edit");
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      Migration original = new Migration(1, "one table",
          List.of("CREATE TABLE IF NOT EXISTS ${database}.a (x String) ENGINE = MergeTree ORDER BY x"));
      new SchemaMigrator(sql, List.of(original)).migrate();
      Migration edited = new Migration(1, "one table",
          List.of("CREATE TABLE IF NOT EXISTS ${database}.a (x UInt8) ENGINE = MergeTree ORDER BY x"));
      Migration next = new Migration(2, "another",
          List.of("CREATE TABLE IF NOT EXISTS ${database}.b (x String) ENGINE = MergeTree ORDER BY x"));

      assertThatThrownBy(() -> new SchemaMigrator(sql, List.of(edited, next)).migrate())
          .isInstanceOf(MigrationException.class)
          .hasMessage("Migration 1 (one table) was applied with checksum " + original.checksum()
              + " but this build's is " + edited.checksum() + " (" + sql.database()
              + ".schema_migrations at " + sql.url()
              + "): applied migrations must not be edited; add a new migration instead")
          .matches(e -> !((MigrationException) e).isRetryable());
      assertThat(tables(sql)).containsExactly("a", "schema_migrations");
    }
  }

  @Test
  void refusesDatabaseMigratedByANewerBuild() {
    TidemarkConfig config = ItServices.isolatedConfig("newer");
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      Migration one = new Migration(1, "one", List.of("CREATE DATABASE IF NOT EXISTS ${database}"));
      Migration two = new Migration(2, "two", List.of("CREATE DATABASE IF NOT EXISTS ${database}"));
      new SchemaMigrator(sql, List.of(one, two)).migrate();

      assertThatThrownBy(() -> new SchemaMigrator(sql, List.of(one)).migrate())
          .isInstanceOf(MigrationException.class)
          .hasMessage("Migration 2 (two) is recorded in " + sql.database() + ".schema_migrations at " + sql.url()
              + " but this build does not know it: the database was migrated by a newer Tidemark");
    }
  }

  @Test
  void rerunsAMigrationThatFailedHalfWay() {
    TidemarkConfig config = ItServices.isolatedConfig("crash");
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      String first = "CREATE TABLE IF NOT EXISTS ${database}.a (x String) ENGINE = MergeTree ORDER BY x";
      Migration broken = new Migration(1, "two tables",
          List.of(first, "CREATE TABLE IF NOT EXISTS ${database}.b (x String) ENGINE = NoSuchEngine"));

      assertThatThrownBy(() -> new SchemaMigrator(sql, List.of(broken)).migrate())
          .isInstanceOf(StatementFailedException.class)
          .hasMessageStartingWith("ClickHouse at " + sql.url() + " rejected 'CREATE TABLE IF NOT EXISTS "
              + sql.database() + ".b (x String) ENGINE = NoSuchEngine': ");
      assertThat(tables(sql)).containsExactly("a", "schema_migrations");
      assertThat(new SchemaMigrator(sql, List.of()).applied()).isEmpty();

      Migration fixed = new Migration(1, "two tables",
          List.of(first, "CREATE TABLE IF NOT EXISTS ${database}.b (x String) ENGINE = MergeTree ORDER BY x"));
      List<Outcome> outcomes = new SchemaMigrator(sql, List.of(fixed)).migrate();

      assertThat(outcomes).containsExactly(new Outcome(1, "two tables", Status.APPLIED));
      assertThat(tables(sql)).containsExactly("a", "b", "schema_migrations");
    }
  }

  @Test
  void failsFastNamingTheUrlKeyWhenClickHouseIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TidemarkConfig config = ItServices.config().with(ClickHouseOptions.URL, "http://127.0.0.1:" + port);

    assertThatThrownBy(() -> Migrations.run(config))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("Cannot reach ClickHouse at http://127.0.0.1:" + port + ": ")
        .hasMessageEndingWith("(check tidemark.clickhouse.url / TIDEMARK_CLICKHOUSE_URL)")
        .matches(e -> ((StoreException) e).isRetryable());
  }

  @Test
  void failsFastNamingTheUserKeysWhenThePasswordIsWrong() {
    TidemarkConfig config = ItServices.config().with(ClickHouseOptions.PASSWORD, "not-the-password");

    assertThatThrownBy(() -> Migrations.run(config))
        .isInstanceOf(StoreAccessDeniedException.class)
        .hasMessageStartingWith("ClickHouse at " + config.get(ClickHouseOptions.URL) + " refused user 'default': ")
        .hasMessageEndingWith("(check tidemark.clickhouse.user / TIDEMARK_CLICKHOUSE_USER and "
            + "tidemark.clickhouse.password / TIDEMARK_CLICKHOUSE_PASSWORD)")
        .matches(e -> !((StoreException) e).isRetryable());
  }

  @Test
  void failsNamingTheBootstrapKeyWhenKafkaIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TidemarkConfig config = ItServices.isolatedConfig("nokafka").with(KafkaOptions.BOOTSTRAP, "127.0.0.1:" + port);

    assertThatThrownBy(() -> KafkaTopics.migrate(config))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("Cannot reach Kafka at 127.0.0.1:" + port)
        .hasMessageEndingWith("(check tidemark.kafka.bootstrap / TIDEMARK_KAFKA_BOOTSTRAP)");
  }

  private static List<Integer> partitionsOnBroker(TidemarkConfig config, List<String> topics) throws Exception {
    try (Admin admin = Admin.create(KafkaTopics.adminProperties(config))) {
      Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
      List<Integer> partitions = new ArrayList<>();
      topics.forEach(t -> partitions.add(d.get(t).partitions().size()));
      return partitions;
    }
  }

  private static List<String> tables(ClickHouseSql sql) {
    return sql.queryRows("SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
            Map.of("db", sql.database()))
        .stream().map(r -> r.get("name")).toList();
  }
}
