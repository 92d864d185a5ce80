package io.tidemark.schema.clickhouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One versioned step of Tidemark's ClickHouse schema.
 *
 * <p>Statements are templates in which {@value #DATABASE_TOKEN} stands for the configured
 * database; they must be idempotent on their own ({@code IF NOT EXISTS}), because a migration that
 * crashed half-way is run again from its first statement. Once a migration has been applied
 * anywhere it is immutable: {@link SchemaMigrator} compares {@link #checksum()} with the recorded
 * one and refuses to run when they differ. Change the schema by adding a migration.
 *
 * @param version positive, unique, applied in increasing order
 * @param name short description, recorded with the version
 * @param statementTemplates the statements, in order, with {@value #DATABASE_TOKEN} for the
 *     database
 */
public record Migration(int version, String name, List<String> statementTemplates) {
  /** Placeholder for the database name in statement templates. */
  public static final String DATABASE_TOKEN = "${database}";

  public Migration {
    if (version <= 0) {
      throw new IllegalArgumentException("Migration version must be positive, got " + version);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Migration " + version + " needs a name");
    }
    if (statementTemplates == null || statementTemplates.isEmpty()) {
      throw new IllegalArgumentException("Migration " + version + " (" + name + ") has no statements");
    }
    statementTemplates = List.copyOf(statementTemplates);
  }

  /** The statements with the database name filled in (the name must already be validated). */
  public List<String> statements(String database) {
    return statementTemplates.stream().map(s -> s.replace(DATABASE_TOKEN, database)).toList();
  }

  /**
   * SHA-256 (hex) of the version, the name and the statement templates with whitespace runs
   * collapsed, so re-indenting a statement is not a change but any token edit is. Independent of
   * the database name, so the same build records the same checksum in every database.
   */
  public String checksum() {
    return checksum(version, name, statementTemplates);
  }

  static String checksum(int version, String name, List<String> statements) {
    StringBuilder canonical = new StringBuilder().append(version).append('\n').append(name.trim());
    for (String s : statements) {
      canonical.append("\n;\n").append(s.replaceAll("\\s+", " ").trim());
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
