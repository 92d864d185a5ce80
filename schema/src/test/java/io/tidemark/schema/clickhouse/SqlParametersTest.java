package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlParametersTest {

  @Test
  void bindsStringAsEscapedSingleQuotedLiteral() {
    String sql = SqlParameters.bind("SELECT * FROM t WHERE user_id = {u:String}", Map.of("u", "o'brien\\x"));
    assertThat(sql).isEqualTo("SELECT * FROM t WHERE user_id = 'o\\'brien\\\\x'");
  }

  @Test
  void escapesControlCharactersInStrings() {
    assertThat(SqlParameters.quoteString("a\nb\tc\rd\0e\u0001")).isEqualTo("'a\\nb\\tc\\rd\\0e\\x01'");
  }

  @Test
  void injectionAttemptStaysInsideTheLiteral() {
    String sql = SqlParameters.bind(
        "SELECT 1 WHERE x = {v:String}", Map.of("v", "'; DROP TABLE tidemark.user_page_counts_store; --"));
    assertThat(sql).isEqualTo("SELECT 1 WHERE x = '\\'; DROP TABLE tidemark.user_page_counts_store; --'");
  }

  @Test
  void bindsIntegersDatesAndDateTimes() {
    Map<String, Object> p = new HashMap<>();
    p.put("p", 20261124);
    p.put("v", 1L << 62);
    p.put("d", LocalDate.of(2026, 11, 24));
    p.put("t", Instant.parse("2026-11-24T10:01:00Z"));
    String sql = SqlParameters.bind("{p:UInt32} {v:UInt64} {d:Date} {t:DateTime}", p);
    assertThat(sql).isEqualTo(
        "20261124 4611686018427387904 toDate('2026-11-24') toDateTime('2026-11-24 10:01:00', 'UTC')");
  }

  @Test
  void bindsUInt64MaximumFromBigInteger() {
    BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    assertThat(SqlParameters.bind("{v:UInt64}", Map.of("v", max))).isEqualTo("18446744073709551615");
  }

  @Test
  void bindsValidatedIdentifierBare() {
    assertThat(SqlParameters.bind("SELECT 1 FROM {t:Identifier}", Map.of("t", "tidemark.user_page_counts")))
        .isEqualTo("SELECT 1 FROM tidemark.user_page_counts");
  }

  @ParameterizedTest
  @ValueSource(strings = {"t; DROP TABLE x", "a.b.c", "1abc", "", "t`", "t name"})
  void rejectsIdentifierThatIsNotAPlainName(String bad) {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT 1 FROM {t:Identifier}", Map.of("t", bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Query parameter 't' is not a valid identifier: '" + bad + "'");
  }

  @Test
  void rejectsStringForNumericPlaceholder() {
    assertThatThrownBy(() -> SqlParameters.bind("{p:UInt32}", Map.of("p", "20261124 OR 1=1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Query parameter 'p' of type UInt32 needs an integral number, got String");
  }

  @ParameterizedTest
  @CsvSource({"UInt8,256", "UInt8,-1", "Int8,128", "Int8,-129", "UInt32,4294967296", "Int32,2147483648"})
  void rejectsIntegerOutOfRange(String type, long value) {
    assertThatThrownBy(() -> SqlParameters.bind("{x:" + type + "}", Map.of("x", value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Query parameter 'x' is out of range for " + type + ": " + value);
  }

  @Test
  void rejectsUnboundPlaceholder() {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT {a:String}", Map.of()))
        .hasMessage("Query parameter 'a' is not bound");
  }

  @Test
  void rejectsBoundNameTheStatementDoesNotUse() {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT {a:String}", Map.of("a", "x", "b", "y")))
        .hasMessage("Query parameter 'b' is bound but the statement has no {b:...}");
  }

  @Test
  void rejectsNullValue() {
    Map<String, Object> p = new HashMap<>();
    p.put("a", null);
    assertThatThrownBy(() -> SqlParameters.bind("SELECT {a:String}", p)).hasMessage("Query parameter 'a' is null");
  }

  @Test
  void rejectsUnsupportedType() {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT {a:Array(String)}", Map.of("a", "x")))
        .hasMessage("Query parameter 'a' has unsupported type Array(String)");
  }

  @Test
  void rejectsSubSecondDateTime() {
    assertThatThrownBy(() -> SqlParameters.bind("{t:DateTime}", Map.of("t", Instant.parse("2026-11-24T10:00:00.5Z"))))
        .hasMessage("Query parameter 't' has sub-second precision, DateTime has none: 2026-11-24T10:00:00.500Z");
  }

  @Test
  void rejectsNonFiniteFloat() {
    assertThatThrownBy(() -> SqlParameters.bind("{f:Float64}", Map.of("f", Double.NaN)))
        .hasMessage("Query parameter 'f' is not finite: NaN");
  }

  @Test
  void leavesPlaceholdersInsideQuotesAndCommentsAlone() {
    String sql = "SELECT '{a:String}', `{b:String}` -- {c:String}\n /* {d:String} */ {e:String}";
    assertThat(SqlParameters.bind(sql, Map.of("e", "x")))
        .isEqualTo("SELECT '{a:String}', `{b:String}` -- {c:String}\n /* {d:String} */ 'x'");
  }

  @Test
  void doesNotRebindPlaceholderTextInsideAValue() {
    assertThat(SqlParameters.bind("{a:String} {b:String}", Map.of("a", "{b:String}", "b", "z")))
        .isEqualTo("'{b:String}' 'z'");
  }

  @Test
  void rejectsUnterminatedQuote() {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT 'abc", Map.of()))
        .hasMessage("Unterminated ' quote starting at position 7 of the statement");
  }

  @Test
  void rejectsMalformedPlaceholder() {
    assertThatThrownBy(() -> SqlParameters.bind("SELECT {a}", Map.of()))
        .hasMessage("Malformed query parameter at position 7: expected {name:Type}");
  }
}
