package io.tidemark.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.schema.kafka.KafkaTopics.TopicOutcome;
import io.tidemark.schema.registry.SubjectMigrator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link Migrations#run} created and what it found already in place, for the CLI to
 * print as text ({@link #toText()}) or JSON ({@link #toJson()}).
 *
 * @param clickHouseUrl the server migrated
 * @param database Tidemark's database on it
 * @param clickHouse one outcome per known migration, in version order
 * @param kafkaBootstrap the cluster migrated
 * @param kafka one outcome per topic
 * @param registry what happened to the schema registry's subject, or {@code null} when this run
 *     did not migrate the registry ({@link Migrations#run})
 */
public record MigrationReport(
    String clickHouseUrl,
    String database,
    List<SchemaMigrator.Outcome> clickHouse,
    String kafkaBootstrap,
    List<TopicOutcome> kafka,
    SubjectMigrator.Report registry) {

  public MigrationReport {
    clickHouse = List.copyOf(clickHouse);
    kafka = List.copyOf(kafka);
  }

  /** A report of ClickHouse and Kafka only. */
  public MigrationReport(String clickHouseUrl, String database, List<SchemaMigrator.Outcome> clickHouse, String kafkaBootstrap, List<TopicOutcome> kafka) {
    this(clickHouseUrl, database, clickHouse, kafkaBootstrap, kafka, null);
  }

  /** This report with the registry's part added. */
  public MigrationReport withRegistry(SubjectMigrator.Report registryReport) {
    return new MigrationReport(clickHouseUrl, database, clickHouse, kafkaBootstrap, kafka, registryReport);
  }

  /** The migrations this run applied (empty on a second run). */
  public List<SchemaMigrator.Outcome> appliedMigrations() {
    return clickHouse.stream().filter(o -> o.status() == SchemaMigrator.Status.APPLIED).toList();
  }

  /** The topics this run created (empty on a second run). */
  public List<TopicOutcome> createdTopics() {
    return kafka.stream().filter(t -> t.status() == TopicOutcome.Status.CREATED).toList();
  }

  /** Whether this run changed anything. */
  public boolean changedAnything() {
    return !appliedMigrations().isEmpty() || !createdTopics().isEmpty() || registry != null && registry.changedAnything();
  }

  /** Things an operator should look at; migrate does not fail on them. */
  public List<String> warnings() {
    List<String> w = new ArrayList<>();
    for (TopicOutcome t : kafka) {
      if (t.status() == TopicOutcome.Status.EXISTS_WITH_FEWER_PARTITIONS) {
        w.add("Kafka topic " + t.topic() + " has " + t.actualPartitions() + " partitions, fewer than the configured "
            + t.configuredPartitions() + "; left unchanged (adding partitions re-maps keys)");
      }
    }
    return w;
  }

  /** A few human-readable lines, one per migration and topic, then warnings. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("ClickHouse ").append(clickHouseUrl).append(", database ").append(database).append('\n');
    for (SchemaMigrator.Outcome o : clickHouse) {
      b.append("  migration ").append(o.version()).append(" (").append(o.name()).append("): ")
          .append(o.status() == SchemaMigrator.Status.APPLIED ? "applied" : "already applied").append('\n');
    }
    b.append("Kafka ").append(kafkaBootstrap).append('\n');
    for (TopicOutcome t : kafka) {
      b.append("  topic ").append(t.topic()).append(": ")
          .append(switch (t.status()) {
            case CREATED -> "created with " + t.actualPartitions() + " partitions";
            case EXISTS -> "exists (" + t.actualPartitions() + " partitions)";
            case EXISTS_WITH_FEWER_PARTITIONS -> "exists with " + t.actualPartitions()
                + " partitions, configured " + t.configuredPartitions();
          })
          .append('\n');
    }
    if (registry != null) {
      b.append("Schema registry ").append(registry.url()).append(", subject ").append(registry.subject()).append('\n');
      for (SubjectMigrator.SchemaOutcome o : registry.schemas()) {
        b.append("  reader schema ").append(o.version()).append(" (").append(o.name()).append("): ")
            .append(o.registered() ? "registered as" : "already registered as").append(" version ")
            .append(o.subjectVersion()).append(", id ").append(o.id()).append('\n');
      }
      b.append("  compatibility: ").append(registry.level())
          .append(registry.levelChanged() ? " (set; was " + registry.previousLevel() + ")" : " (already set)").append('\n');
    }
    for (String w : warnings()) {
      b.append("WARNING: ").append(w).append('\n');
    }
    b.append(changedAnything() ? "Migration complete." : "Nothing to do: schema" + (registry == null ? "" : ", subject") + " and topics are up to date.");
    return b.toString();
  }

  /** The report as one JSON object (stable field names, for scripts). */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> ch = new LinkedHashMap<>();
    ch.put("url", clickHouseUrl);
    ch.put("database", database);
    ch.put("migrations", clickHouse.stream().map(o -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", o.version());
      m.put("name", o.name());
      m.put("status", o.status().name());
      return m;
    }).toList());
    root.put("clickhouse", ch);
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("bootstrap", kafkaBootstrap);
    k.put("topics", kafka.stream().map(t -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("topic", t.topic());
      m.put("status", t.status().name());
      m.put("configuredPartitions", t.configuredPartitions());
      m.put("actualPartitions", t.actualPartitions());
      return m;
    }).toList());
    root.put("kafka", k);
    if (registry != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("url", registry.url());
      r.put("subject", registry.subject());
      r.put("compatibility", registry.level());
      r.put("compatibilityChanged", registry.levelChanged());
      r.put("previousCompatibility", registry.previousLevel());
      r.put("schemas", registry.schemas().stream().map(o -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", o.version());
        m.put("name", o.name());
        m.put("status", o.registered() ? "REGISTERED" : "ALREADY_REGISTERED");
        m.put("subjectVersion", o.subjectVersion());
        m.put("id", o.id());
        return m;
      }).toList());
      root.put("schemaRegistry", r);
    }
    root.put("changed", changedAnything());
    root.put("warnings", warnings());
    try {
      return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot render the migration report as JSON", e);
    }
  }
}
