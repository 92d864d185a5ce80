package io.tidemark.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Bad input fails before anything is contacted: one line, non-zero exit. */
class ReconcileMainTest {
  @Test
  void rejectsARangeEndingBeforeItStarts() {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new PrintWriter(err, true), "backfill", "--from", "2026-11-24", "--to", "2026-11-20");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("error: The range ends (2026-11-20) before it starts (2026-11-24)" + System.lineSeparator());
  }

  @Test
  void rejectsAnInvalidDate() {
    StringWriter err = new StringWriter();
    int code = ReconcileMain.execute(new PrintWriter(err, true), "reconcile", "--date", "2026-13-01");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("Invalid value for option '--date': cannot convert '2026-13-01'");
  }

  @Test
  void requiresADate() {
    StringWriter err = new StringWriter();
    assertThat(ReconcileMain.execute(new PrintWriter(err, true), "reconcile")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--date=YYYY-MM-DD'");
  }
}
