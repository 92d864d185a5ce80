package io.tidemark.schema.clickhouse;

import io.tidemark.schema.MigrationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a ClickHouse database up to the newest {@link Migration}, recording each applied
 * version in {@value ClickHouseSchema#MIGRATIONS_TABLE}.
 *
 * <p><b>Idempotent</b>: a second {@link #migrate()} finds every version recorded and runs nothing.
 * <b>Crash-safe</b>: a version is recorded only after all its statements succeeded, and every
 * statement is {@code IF NOT EXISTS}, so after a failure (server gone mid-migration, say) the
 * objects of the interrupted version may partly exist and the next run simply repeats that
 * version. <b>Guarded</b>: before running anything it compares the recorded checksums with this
 * build's migrations and refuses with a {@link MigrationException} when an applied migration was
 * edited or the database is ahead of this build. Two migrators racing on one database both
 * succeed (the statements are idempotent) and may record a version twice, which is harmless.
 */
public final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  private final ClickHouseSql sql;
  private final List<Migration> migrations;

  /** A migrator for Tidemark's own migrations ({@link ClickHouseSchema#migrations()}). */
  public SchemaMigrator(ClickHouseSql sql) {
    this(sql, ClickHouseSchema.migrations());
  }

  /**
   * A migrator for an explicit list, in strictly increasing version order.
   *
   * @throws IllegalArgumentException when versions are not strictly increasing
   */
  public SchemaMigrator(ClickHouseSql sql, List<Migration> migrations) {
    for (int i = 1; i < migrations.size(); i++) {
      if (migrations.get(i).version() <= migrations.get(i - 1).version()) {
        throw new IllegalArgumentException(
            "Migrations must have strictly increasing versions: " + migrations.get(i - 1).version()
                + " is followed by " + migrations.get(i).version());
      }
    }
    this.sql = sql;
    this.migrations = List.copyOf(migrations);
  }

  /** What happened to one migration in a run. */
  public record Outcome(int version, String name, Status status) {}

  /** Whether a run applied a migration or found it already applied. */
  public enum Status {
    APPLIED,
    ALREADY_APPLIED
  }

  /** A row of the migrations table. */
  public record AppliedMigration(int version, String name, String checksum) {}

  /**
   * Creates the database and the migrations table if missing, then applies every migration not
   * yet recorded, in order.
   *
   * @return one outcome per known migration, in version order
   * @throws MigrationException when the recorded history disagrees with this build (nothing run)
   * @throws io.tidemark.schema.StoreException when a statement fails; versions before it stay
   *     recorded, the failed one is not and will be repeated by the next run
   */
  public List<Outcome> migrate() {
    String db = sql.database();
    ClickHouseSchema.bootstrapStatements(db).forEach(sql::execute);
    Map<Integer, AppliedMigration> applied = applied();
    check(applied);
    List<Outcome> outcomes = new ArrayList<>();
    for (Migration m : migrations) {
      if (applied.containsKey(m.version())) {
        outcomes.add(new Outcome(m.version(), m.name(), Status.ALREADY_APPLIED));
        continue;
      }
      LOG.info("Applying ClickHouse migration {} ({}) to database {} at {}", m.version(), m.name(), db, sql.url());
      m.statements(db).forEach(sql::execute);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("version", m.version());
      row.put("name", m.name());
      row.put("checksum", m.checksum());
      row.put("applied_at", Instant.now());
      sql.insertJsonEachRow(db + "." + ClickHouseSchema.MIGRATIONS_TABLE, List.of(row));
      outcomes.add(new Outcome(m.version(), m.name(), Status.APPLIED));
    }
    return outcomes;
  }

  /**
   * The recorded migrations by version (the migrations table must exist).
   *
   * @throws MigrationException when one version was recorded with two different checksums
   */
  public Map<Integer, AppliedMigration> applied() {
    Map<Integer, AppliedMigration> byVersion = new TreeMap<>();
    List<Map<String, String>> rows =
        sql.queryRows(
            "SELECT version, name, checksum FROM {table:Identifier} ORDER BY version",
            Map.of("table", sql.database() + "." + ClickHouseSchema.MIGRATIONS_TABLE));
    for (Map<String, String> r : rows) {
      AppliedMigration a =
          new AppliedMigration(Integer.parseInt(r.get("version")), r.get("name"), r.get("checksum"));
      AppliedMigration earlier = byVersion.putIfAbsent(a.version(), a);
      if (earlier != null && !earlier.checksum().equals(a.checksum())) {
        throw new MigrationException(
            "Migration " + a.version() + " is recorded twice in " + sql.database() + "."
                + ClickHouseSchema.MIGRATIONS_TABLE + " with different checksums " + earlier.checksum()
                + " and " + a.checksum() + ": the schema history is inconsistent");
      }
    }
    return byVersion;
  }

  private void check(Map<Integer, AppliedMigration> applied) {
    Map<Integer, Migration> known = new TreeMap<>();
    migrations.forEach(m -> known.put(m.version(), m));
    for (AppliedMigration a : applied.values()) {
      Migration m = known.get(a.version());
      String where = sql.database() + "." + ClickHouseSchema.MIGRATIONS_TABLE + " at " + sql.url();
      if (m == null) {
        throw new MigrationException(
            "Migration " + a.version() + " (" + a.name() + ") is recorded in " + where
                + " but this build does not know it: the database was migrated by a newer Tidemark");
      }
      if (!m.checksum().equals(a.checksum())) {
        throw new MigrationException(
            "Migration " + a.version() + " (" + m.name() + ") was applied with checksum "
                + a.checksum() + " but this build's is " + m.checksum() + " (" + where
                + "): applied migrations must not be edited; add a new migration instead");
      }
    }
  }
}
