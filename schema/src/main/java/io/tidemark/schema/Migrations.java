package io.tidemark.schema;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.SchemaMigrator;
import io.tidemark.schema.kafka.KafkaTopics;
import io.tidemark.schema.registry.SubjectMigrator;
import java.util.List;

/**
 * The one entry point of {@code tidemark migrate}: brings ClickHouse ({@link SchemaMigrator}),
 * Kafka ({@link KafkaTopics}) and, with {@link #runAll}, the schema registry's subject ({@link
 * SubjectMigrator}) to the schema of this build.
 *
 * <p>Idempotent: a second run changes nothing and says so in its report. Fails fast, with the
 * configuration key to check, when either endpoint is unreachable or refuses the credentials.
 * ClickHouse is migrated first; if Kafka then fails, the ClickHouse part stays applied and the
 * next run only does the Kafka part.
 */
public final class Migrations {
  private Migrations() {}

  /**
   * Migrates both stores.
   *
   * @param resolvedConfig configuration with {@code tidemark.clickhouse.url} and {@code
   *     tidemark.kafka.bootstrap} set
   * @throws io.tidemark.core.config.ConfigException when an endpoint is missing or invalid
   * @throws StoreException as described by {@link SchemaMigrator#migrate()} and {@link
   *     KafkaTopics#migrate}
   */
  public static MigrationReport run(TidemarkConfig resolvedConfig) {
    String bootstrap = resolvedConfig.require(KafkaOptions.BOOTSTRAP);
    List<SchemaMigrator.Outcome> clickHouse;
    String url;
    String database;
    try (ClickHouseSql sql = ClickHouseClients.connect(resolvedConfig)) {
      url = sql.url();
      database = sql.database();
      clickHouse = new SchemaMigrator(sql).migrate();
    }
    List<KafkaTopics.TopicOutcome> kafka = KafkaTopics.migrate(resolvedConfig);
    return new MigrationReport(url, database, clickHouse, bootstrap, kafka);
  }

  /**
   * What {@code ./tidemark migrate} does: {@link #run} (the stores every layer writes), then the
   * events subject in the schema registry: Tidemark's reader schemas registered and the subject's
   * compatibility level set. The registry comes last, so a registry that is down fails the run
   * after ClickHouse and Kafka are migrated, and the next run only does the registry part.
   *
   * @param resolvedConfig configuration with {@code tidemark.schema-registry.url} set as well
   * @throws StoreException as {@link #run}, and as described by {@link SubjectMigrator#migrate()}
   */
  public static MigrationReport runAll(TidemarkConfig resolvedConfig) {
    MigrationReport stores = run(resolvedConfig);
    SubjectMigrator.Report registry = SubjectMigrator.fromConfig(resolvedConfig).migrate();
    return stores.withRegistry(registry);
  }
}
