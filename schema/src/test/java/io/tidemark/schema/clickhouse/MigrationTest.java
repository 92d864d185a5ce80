package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationTest {
  private final Migration base =
      new Migration(3, "add things", List.of("CREATE TABLE IF NOT EXISTS ${database}.t (a String) ENGINE = Log"));

  @Test
  void checksumIsSha256HexAndStable() {
    assertThat(base.checksum()).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(base.checksum()).isEqualTo(new Migration(3, "add things", base.statementTemplates()).checksum());
  }

  @Test
  void checksumIgnoresReindentation() {
    Migration reindented =
        new Migration(3, "add things", List.of("CREATE TABLE IF NOT EXISTS\n    ${database}.t (a String)\n  ENGINE = Log  "));
    assertThat(reindented.checksum()).isEqualTo(base.checksum());
  }

  @Test
  void checksumChangesWhenAStatementTokenChanges() {
    Migration edited =
        new Migration(3, "add things", List.of("CREATE TABLE IF NOT EXISTS ${database}.t (a UInt8) ENGINE = Log"));
    assertThat(edited.checksum()).isNotEqualTo(base.checksum());
  }

  @Test
  void checksumChangesWhenVersionOrNameChanges() {
    assertThat(new Migration(4, "add things", base.statementTemplates()).checksum()).isNotEqualTo(base.checksum());
    assertThat(new Migration(3, "other", base.statementTemplates()).checksum()).isNotEqualTo(base.checksum());
  }

  @Test
  void checksumDoesNotDependOnTheDatabase() {
    assertThat(base.statements("a")).containsExactly("CREATE TABLE IF NOT EXISTS a.t (a String) ENGINE = Log");
    assertThat(base.statements("b")).containsExactly("CREATE TABLE IF NOT EXISTS b.t (a String) ENGINE = Log");
  }

  @Test
  void rejectsNonPositiveVersion() {
    assertThatThrownBy(() -> new Migration(0, "x", List.of("SELECT 1")))
        .hasMessage("Migration version must be positive, got 0");
  }

  @Test
  void rejectsBlankName() {
    assertThatThrownBy(() -> new Migration(1, " ", List.of("SELECT 1"))).hasMessage("Migration 1 needs a name");
  }

  @Test
  void rejectsMigrationWithoutStatements() {
    assertThatThrownBy(() -> new Migration(1, "empty", List.of())).hasMessage("Migration 1 (empty) has no statements");
  }
}
