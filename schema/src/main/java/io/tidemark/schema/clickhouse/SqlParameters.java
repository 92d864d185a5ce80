package io.tidemark.schema.clickhouse;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code {name:Type}} query parameters into SQL text on the client side, strictly.
 *
 * <p>Why on the client: ClickHouse 18.16, the server this project runs, has no server-side query
 * parameters (it answers "Unknown setting param_x"), and current ClickHouse would accept the same
 * placeholder syntax server-side. So Tidemark writes SQL with the current syntax, and this class
 * is the one place that turns a placeholder into a literal. It is strict instead of clever:
 *
 * <ul>
 *   <li>The placeholder's type decides which Java values are accepted; a {@code String} is never
 *       accepted for a number, a date or an identifier, so text from a user cannot change the
 *       shape of a statement.
 *   <li>Strings are rendered as single-quoted literals with backslash, quote and control
 *       characters escaped, which both 18.16 and current ClickHouse read back unchanged.
 *   <li>{@code Identifier} values must match {@code [A-Za-z_][A-Za-z0-9_]*} (optionally
 *       {@code db.table}) and are rendered bare.
 *   <li>Every placeholder must be bound and every bound name must be used; {@code null} is
 *       rejected (Tidemark has no Nullable columns).
 *   <li>Placeholders inside quoted literals, quoted identifiers and comments are left alone.
 * </ul>
 *
 * <p>Supported types: {@code String}, {@code Int8..Int64}, {@code UInt8..UInt64} (Java integral
 * values or {@link BigInteger}), {@code Float64} (finite doubles), {@code Date} ({@link
 * LocalDate}), {@code DateTime} ({@link Instant}, whole seconds, rendered in UTC) and {@code
 * Identifier}. Anything else is an {@link IllegalArgumentException} naming the placeholder.
 */
public final class SqlParameters {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private SqlParameters() {}

  /**
   * Returns {@code sql} with every {@code {name:Type}} placeholder replaced by the literal of
   * {@code params.get(name)}.
   *
   * @throws IllegalArgumentException naming the placeholder when a value is missing, unused,
   *     null, of the wrong Java type or out of the type's range, or when the type is unsupported
   */
  public static String bind(String sql, Map<String, ?> params) {
    StringBuilder out = new StringBuilder(sql.length() + 32);
    Set<String> used = new HashSet<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = endOfQuoted(sql, i, c);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(sql, i, end);
        i = end;
      } else if (c == '{') {
        int close = sql.indexOf('}', i);
        int colon = sql.indexOf(':', i);
        if (close < 0 || colon < 0 || colon > close) {
          throw new IllegalArgumentException(
              "Malformed query parameter at position " + i + ": expected {name:Type}");
        }
        String name = sql.substring(i + 1, colon).trim();
        String type = sql.substring(colon + 1, close).trim();
        if (!NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("Invalid query parameter name '" + name + "'");
        }
        if (!params.containsKey(name)) {
          throw new IllegalArgumentException("Query parameter '" + name + "' is not bound");
        }
        out.append(literal(name, type, params.get(name)));
        used.add(name);
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    for (String name : params.keySet()) {
      if (!used.contains(name)) {
        throw new IllegalArgumentException(
            "Query parameter '" + name + "' is bound but the statement has no {" + name + ":...}");
      }
    }
    return out.toString();
  }

  /** Renders one value as a literal of the given ClickHouse type. */
  static String literal(String name, String type, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("Query parameter '" + name + "' is null");
    }
    switch (type) {
      case "String":
        return quoteString(requireType(name, type, value, String.class));
      case "Identifier":
        String id = requireType(name, type, value, String.class);
        if (!IDENTIFIER.matcher(id).matches()) {
          throw new IllegalArgumentException(
              "Query parameter '" + name + "' is not a valid identifier: '" + id + "'");
        }
        return id;
      case "Int8":
        return integer(name, type, value, 8, true);
      case "Int16":
        return integer(name, type, value, 16, true);
      case "Int32":
        return integer(name, type, value, 32, true);
      case "Int64":
        return integer(name, type, value, 64, true);
      case "UInt8":
        return integer(name, type, value, 8, false);
      case "UInt16":
        return integer(name, type, value, 16, false);
      case "UInt32":
        return integer(name, type, value, 32, false);
      case "UInt64":
        return integer(name, type, value, 64, false);
      case "Float64":
        double d = requireType(name, type, value, Double.class);
        if (!Double.isFinite(d)) {
          throw new IllegalArgumentException("Query parameter '" + name + "' is not finite: " + d);
        }
        return Double.toString(d);
      case "Date":
        LocalDate date = requireType(name, type, value, LocalDate.class);
        return "toDate('" + date + "')";
      case "DateTime":
        Instant instant = requireType(name, type, value, Instant.class);
        if (instant.getNano() != 0) {
          throw new IllegalArgumentException(
              "Query parameter '" + name + "' has sub-second precision, DateTime has none: " + instant);
        }
        return "toDateTime('" + DATE_TIME.format(instant) + "', 'UTC')";
      default:
        throw new IllegalArgumentException(
            "Query parameter '" + name + "' has unsupported type " + type);
    }
  }

  /** A single-quoted ClickHouse string literal that reads back as exactly {@code s}. */
  public static String quoteString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('\'');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\'' -> b.append("\\'");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\0' -> b.append("\\0");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02X", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('\'').toString();
  }

  private static String integer(String name, String type, Object value, int bits, boolean signed) {
    BigInteger v;
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      v = BigInteger.valueOf(((Number) value).longValue());
    } else if (value instanceof BigInteger b) {
      v = b;
    } else {
      throw wrongType(name, type, value, "an integral number");
    }
    BigInteger min = signed ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
    BigInteger max =
        signed
            ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE)
            : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "Query parameter '" + name + "' is out of range for " + type + ": " + v);
    }
    return v.toString();
  }

  private static <T> T requireType(String name, String type, Object value, Class<T> expected) {
    if (!expected.isInstance(value)) {
      throw wrongType(name, type, value, expected.getSimpleName());
    }
    return expected.cast(value);
  }

  private static IllegalArgumentException wrongType(String name, String type, Object value, String expected) {
    return new IllegalArgumentException(
        "Query parameter '" + name + "' of type " + type + " needs " + expected + ", got "
            + value.getClass().getSimpleName());
  }

  private static int endOfQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    throw new IllegalArgumentException(
        "Unterminated " + quote + " quote starting at position " + start + " of the statement");
  }
}
