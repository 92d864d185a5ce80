package io.tidemark.schema.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.schema.StatementFailedException;
import io.tidemark.schema.StoreAccessDeniedException;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.StoreUnavailableException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The small surface through which Tidemark talks SQL to ClickHouse: DDL and other statements,
 * queries returning rows, and JSONEachRow inserts. It exists so that every layer uses the formats
 * that work on ClickHouse 18.16 as well as current servers (JSONEachRow in and out, no binary
 * formats), binds parameters in one place ({@link SqlParameters}) and turns client failures into
 * Tidemark's {@link StoreException} hierarchy with messages naming the server and the statement.
 *
 * <p>Thread-safe (the underlying client-v2 {@link Client} is); one instance per process is
 * enough. {@link #close()} releases its connection pool.
 *
 * <p>Data-changing calls ({@link #execute}, {@link #insertJsonEachRow}) are not transactional: if
 * one fails with a {@link StoreUnavailableException}, the server may or may not have applied it.
 * An insert repeated after such a failure can store the rows twice; Tidemark's count tables are
 * built so that a repeated write of the same version changes nothing visible.
 */
public final class ClickHouseSql implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TABLE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  /** A trailing FORMAT clause, which {@link #queryRows} adds itself. */
  private static final Pattern FORMAT_CLAUSE =
      Pattern.compile("(?is).*\\bFORMAT\\s+[A-Za-z]+\\s*;?\\s*$");

  private final Client client;
  private final String url;
  private final String user;
  private final String password;
  private final String database;

  ClickHouseSql(Client client, String url, String user, String password, String database) {
    this.client = client;
    this.url = url;
    this.user = user;
    this.password = password;
    this.database = database;
  }

  /**
   * Where and as whom this instance connects, serializable, so that Spark tasks can open their own
   * connection for bulk loads ({@link Endpoint#open()}); a client holds sockets and cannot travel.
   */
  public record Endpoint(String url, String user, String password, String database) implements java.io.Serializable {
    @Override
    public String toString() {
      return "Endpoint[" + url + ", user " + user + ", database " + database + "]"; // never the password
    }

    /** A new instance on this endpoint; the caller closes it. */
    public ClickHouseSql open() {
      return new ClickHouseSql(ClickHouseClients.newClient(url, user, password), url, user, password, database);
    }
  }

  /** This instance's endpoint, to open further connections elsewhere (Spark tasks). */
  public Endpoint endpoint() {
    return new Endpoint(url, user, password, database);
  }

  /** Tidemark's database on this server ({@code tidemark.clickhouse.database}). */
  public String database() {
    return database;
  }

  /** The server URL, for messages. */
  public String url() {
    return url;
  }

  /**
   * Runs one statement that returns no rows (DDL, ALTER, INSERT ... SELECT).
   *
   * @throws StoreException translated from the client's failure
   */
  public void execute(String sql) {
    execute(sql, Map.of());
  }

  /** Runs one statement with {@code {name:Type}} parameters bound by {@link SqlParameters}. */
  public void execute(String sql, Map<String, ?> params) {
    String bound = SqlParameters.bind(sql, params);
    try (CommandResponse ignored = await(client.execute(bound))) {
      // nothing to read
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, bound);
    }
  }

  /**
   * Runs a query and returns its rows, each as column name to value in select order. Values are
   * ClickHouse's JSONEachRow text (64-bit integers arrive as strings and stay strings; DateTime
   * as {@code yyyy-MM-dd HH:mm:ss} in the column's time zone, UTC for Tidemark's tables).
   *
   * <p>Meant for results that fit in memory (reports, checks, small lookups).
   *
   * @throws IllegalArgumentException when a parameter does not bind
   * @throws StoreException translated from the client's failure
   */
  public List<Map<String, String>> queryRows(String sql, Map<String, ?> params) {
    List<Map<String, String>> rows = new ArrayList<>();
    queryEach(sql, params, rows::add);
    return rows;
  }

  /**
   * {@link #queryRows} streamed: each row is handed to {@code onRow} as it is read and not kept, for
   * results too large to hold as maps (a day's count cells: millions of rows).
   *
   * @throws IllegalArgumentException when a parameter does not bind
   * @throws StoreException translated from the client's failure
   */
  public void queryEach(String sql, Map<String, ?> params, java.util.function.Consumer<Map<String, String>> onRow) {
    if (FORMAT_CLAUSE.matcher(sql).matches()) {
      throw new IllegalArgumentException("Leave out the FORMAT clause, queryRows adds its own: " + summary(sql));
    }
    // 18.16 ignores the format the client asks for in request settings; the clause does not lie.
    String bound = stripSemicolon(SqlParameters.bind(sql, params));
    QuerySettings settings = new QuerySettings().setFormat(ClickHouseFormat.JSONEachRow);
    try (QueryResponse response = await(client.query(bound + "\nFORMAT JSONEachRow", settings));
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(response.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = JSON.readTree(line);
        Map<String, String> row = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> f = fields.next();
          row.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText());
        }
        onRow.accept(row);
      }
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, bound);
    }
  }

  /** A query expected to return one row with one integral column (a count, a sum). */
  public long queryLong(String sql, Map<String, ?> params) {
    List<Map<String, String>> rows = queryRows(sql, params);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException(
          "Expected one row with one column from '" + summary(sql) + "', got " + rows);
    }
    String v = rows.get(0).values().iterator().next();
    return v == null ? 0L : Long.parseLong(v);
  }

  /**
   * Inserts rows into {@code table} (plain or {@code database.table}) in one JSONEachRow request.
   * Each row maps column names to values: strings, numbers, booleans, {@link Instant} (written as
   * a UTC {@code DateTime}, truncated to the second), {@link LocalDate} and enums (their name).
   * Columns a row omits get their type's zero value on 18.16 (which ignores DEFAULT expressions
   * for JSONEachRow), so writers should give every column.
   *
   * <p>One request is one insert: ClickHouse applies it completely or not at all when it fails
   * with a server error; when the connection breaks, the outcome is unknown.
   *
   * @throws IllegalArgumentException when the table name is not an identifier
   * @throws StoreException translated from the client's failure
   */
  public void insertJsonEachRow(String table, List<? extends Map<String, ?>> rows) {
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("Invalid table name '" + table + "'");
    }
    if (rows.isEmpty()) {
      return;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(rows.size() * 96);
    try {
      for (Map<String, ?> row : rows) {
        Map<String, Object> converted = new LinkedHashMap<>();
        row.forEach((k, v) -> converted.put(k, jsonValue(v)));
        body.write(JSON.writeValueAsBytes(converted));
        body.write('\n');
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot write a row for " + table + " as JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String what = "INSERT INTO " + table + " FORMAT JSONEachRow (" + rows.size() + " rows)";
    try (InsertResponse ignored =
        await(client.insert(table, new ByteArrayInputStream(body.toByteArray()), ClickHouseFormat.JSONEachRow))) {
      // nothing to read
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, what);
    }
  }

  /**
   * Inserts rows already written as ClickHouse {@code TabSeparated} text (every column of {@code
   * table}, in its order, one row per line, values escaped with {@link #tsvEscape}) in one request:
   * for bulk loads of millions of rows, where building a map per row and JSON would cost more than
   * the insert. Same failure semantics as {@link #insertJsonEachRow}.
   *
   * @param rows how many lines {@code body} holds, for messages
   * @throws IllegalArgumentException when the table name is not an identifier
   * @throws StoreException translated from the client's failure
   */
  public void insertTabSeparated(String table, byte[] body, long rows) {
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("Invalid table name '" + table + "'");
    }
    if (body.length == 0) {
      return;
    }
    String what = "INSERT INTO " + table + " FORMAT TabSeparated (" + rows + " rows)";
    try (InsertResponse ignored =
        await(client.insert(table, new ByteArrayInputStream(body), ClickHouseFormat.TabSeparated))) {
      // nothing to read
    } catch (StoreException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, what);
    }
  }

  /**
   * A string as a {@code TabSeparated} value: backslash, tab, line feed and carriage return
   * escaped, as ClickHouse reads them back.
   */
  public static String tsvEscape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc = switch (c) {
        case '\\' -> "\\\\";
        case '\t' -> "\\t";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        default -> null;
      };
      if (esc != null && b == null) {
        b = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (b != null) {
        if (esc != null) {
          b.append(esc);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  /**
   * One round trip ({@code SELECT version()}) that tells an unreachable server from refused
   * credentials, each with the configuration key to check.
   *
   * @return the server's version
   */
  public String verifyConnection() {
    List<Map<String, String>> rows = queryRows("SELECT version() AS v", Map.of());
    return rows.get(0).get("v");
  }

  @Override
  public void close() {
    client.close();
  }

  private static Object jsonValue(Object v) {
    if (v instanceof Instant i) {
      return DATE_TIME.format(i.truncatedTo(ChronoUnit.SECONDS));
    }
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    return v;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  private StoreException translate(Exception e, String sql) {
    if (e instanceof ServerException se) {
      int code = serverCode(se);
      String serverMessage = firstLine(se.getMessage());
      if (ClickHouseErrors.kind(code) == ClickHouseErrors.Kind.ACCESS) {
        return new StoreAccessDeniedException(
            "ClickHouse at " + url + " refused user '" + user + "': " + serverMessage + " (check "
                + ClickHouseOptions.USER.key() + " / " + ClickHouseOptions.USER.envName() + " and "
                + ClickHouseOptions.PASSWORD.key() + " / " + ClickHouseOptions.PASSWORD.envName() + ")",
            e);
      }
      return new StatementFailedException(
          "ClickHouse at " + url + " rejected '" + summary(sql) + "': " + serverMessage,
          code,
          ClickHouseErrors.kind(code) == ClickHouseErrors.Kind.TRANSIENT,
          e);
    }
    if (e instanceof ConnectionInitiationException || hasCause(e, IOException.class)) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return new StoreUnavailableException(
          "Cannot reach ClickHouse at " + url + ": " + firstLine(String.valueOf(root.getMessage()))
              + " (check " + ClickHouseOptions.URL.key() + " / " + ClickHouseOptions.URL.envName() + ")",
          e);
    }
    if (e instanceof InterruptedException) {
      return new StoreUnavailableException("Interrupted while waiting for ClickHouse at " + url, e);
    }
    return new StatementFailedException(
        "ClickHouse at " + url + " failed on '" + summary(sql) + "': " + firstLine(String.valueOf(e.getMessage())),
        -1,
        false,
        e);
  }

  /** The server's error code ({@link ClickHouseErrors#code(ServerException)}); -1 when none. */
  public static int serverCode(ServerException e) {
    return ClickHouseErrors.code(e);
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String stripSemicolon(String sql) {
    String t = sql.strip();
    return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String summary(String sql) {
    String oneLine = sql.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
