package io.tidemark.schema.clickhouse;

import com.clickhouse.client.api.ServerException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of ClickHouse's server errors for every Tidemark client (DDL and queries through
 * {@link ClickHouseSql}, bulk loads through {@link StreamingInsert}, the speed layer's sink and
 * preflight, serving): which code a failure carries and what kind of failure that code is.
 *
 * <p>ClickHouse 18.16 does not send the exception-code header client-v2 reads ({@code
 * ServerException.getCode()} is 0 there), but every message starts with {@code Code: <n>}, so the
 * code is read from the message when the header is missing. Callers decide what an {@link
 * Kind#UNKNOWN} code means for them: the speed sink retries it (the job restarts from its
 * checkpoint if retries run out), a reconcile statement does not.
 */
public final class ClickHouseErrors {
  private static final Pattern CODE_IN_MESSAGE = Pattern.compile("Code: (\\d+)");

  /** Credentials or rights: UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, ..., ACCESS_DENIED. */
  private static final Set<Integer> ACCESS = Set.of(164, 192, 193, 194, 195, 497, 516);

  /** Transient conditions: too many parts, concurrency, timeouts, memory, network, unknown status. */
  private static final Set<Integer> TRANSIENT = Set.of(159, 202, 209, 210, 241, 252, 319);

  /** The statement or its target is wrong: a retry unchanged cannot succeed. */
  private static final Set<Integer> PERMANENT = Set.of(
      16, // NO_SUCH_COLUMN_IN_TABLE
      26, 27, 38, 41, 47, 53, 62, 69, 70, 72, 117, // parse and type errors, unknown identifier
      60, // UNKNOWN_TABLE
      81); // UNKNOWN_DATABASE

  /** UNKNOWN_TABLE and UNKNOWN_DATABASE: the schema is not there (run migrate). */
  private static final Set<Integer> MISSING_OBJECT = Set.of(60, 81);

  /** What a server error code says about retrying. */
  public enum Kind {
    /** The user or its rights were refused: fix the credentials. */
    ACCESS,
    /** A retry later may succeed. */
    TRANSIENT,
    /** The statement or its target is wrong: a retry unchanged cannot succeed. */
    PERMANENT,
    /** A code this table does not list (or none). */
    UNKNOWN
  }

  private ClickHouseErrors() {}

  /** The kind of a server code ({@code -1}: none). */
  public static Kind kind(int code) {
    if (ACCESS.contains(code)) {
      return Kind.ACCESS;
    }
    if (TRANSIENT.contains(code)) {
      return Kind.TRANSIENT;
    }
    if (PERMANENT.contains(code)) {
      return Kind.PERMANENT;
    }
    return Kind.UNKNOWN;
  }

  /** Whether the code says the table or database does not exist. */
  public static boolean isMissingObject(int code) {
    return MISSING_OBJECT.contains(code);
  }

  /** The server code of an exception: its header, else the {@code Code: <n>} of its message; -1 if none. */
  public static int code(ServerException e) {
    return e.getCode() > 0 ? e.getCode() : code(e.getMessage());
  }

  /** The {@code Code: <n>} of a server message (an HTTP error body, say); -1 if none. */
  public static int code(String message) {
    Matcher m = CODE_IN_MESSAGE.matcher(String.valueOf(message));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The first {@link ServerException} in a failure's cause chain, if any. */
  public static Optional<ServerException> serverException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ServerException se) {
        return Optional.of(se);
      }
    }
    return Optional.empty();
  }

  /** The first line of a (multi-line) server message, for one-line errors. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
