package io.tidemark.schema.clickhouse;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.schema.StatementFailedException;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.StoreUnavailableException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * One {@code INSERT INTO <table> FORMAT RowBinary} whose rows are streamed over ClickHouse's HTTP
 * interface while they are encoded (chunked request body, no compression), for bulk loads of
 * millions of rows: nothing is buffered beyond a 1 MiB write buffer, and RowBinary needs no text
 * formatting or escaping on our side and no parsing of numbers and dates on the server's ({@link
 * RowBinaryOutput} encodes the values). Works on
 * ClickHouse 18.16 (plain {@code RowBinary}; 18.16 lacks {@code RowBinaryWithNamesAndTypes}).
 *
 * <p>The caller writes every column of the table, in its order, with the {@code write*} methods,
 * then calls {@link #finish()}. The server inserts the rows in blocks of {@code
 * max_insert_block_size} rows as it receives them, so a request that fails part-way may have
 * inserted some of its blocks: callers check what arrived (row count and sum) and treat a
 * mismatch as retryable after clearing, as reconcile's cell load does. Not thread-safe: one
 * instance per stream.
 *
 * <pre>{@code
 * try (StreamingInsert in = StreamingInsert.open(sql.endpoint(), "tidemark.reconcile_cells")) {
 *   in.writeString("user-1").writeDateTime(1768435200L).writeUInt64(3);
 *   in.finish();
 * }
 * }</pre>
 */
public final class StreamingInsert implements AutoCloseable {
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final int BUFFER = 1 << 20;

  private final HttpURLConnection connection;
  private final OutputStream out;
  private final String url;
  private final String table;
  private final RowBinaryOutput rows;
  private long rowsWritten;
  private boolean finished;

  private StreamingInsert(HttpURLConnection connection, OutputStream out, String url, String table) {
    this.connection = connection;
    this.out = out;
    this.rows = new RowBinaryOutput(out, this::broken);
    this.url = url;
    this.table = table;
  }

  /**
   * Opens the request. Nothing is inserted until the body is written.
   *
   * @param table {@code db.table} or {@code table} (the endpoint's database); an identifier, never
   *     user input pasted into SQL
   * @throws IllegalArgumentException when the table name is not an identifier
   * @throws StoreUnavailableException when the server cannot be reached
   */
  public static StreamingInsert open(ClickHouseSql.Endpoint endpoint, String table) {
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("Invalid table name '" + table + "'");
    }
    String query = "INSERT INTO " + table + " FORMAT RowBinary";
    String base = endpoint.url().endsWith("/") ? endpoint.url() : endpoint.url() + "/";
    String target = base + "?database=" + URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8)
        + "&query=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(target).toURL().openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setChunkedStreamingMode(BUFFER);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(600_000);
      String credentials = endpoint.user() + ":" + (endpoint.password() == null ? "" : endpoint.password());
      c.setRequestProperty("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
      c.setRequestProperty("Content-Type", "application/octet-stream");
      return new StreamingInsert(c, new BufferedOutputStream(c.getOutputStream(), BUFFER), endpoint.url(), table);
    } catch (IOException e) {
      throw unavailable(endpoint.url(), e);
    }
  }

  /** A {@code String} column: LEB128 length, then the UTF-8 bytes. */
  public StreamingInsert writeString(String s) {
    rows.writeString(s);
    return this;
  }

  /** A {@code String} column from bytes already encoded as UTF-8. */
  public StreamingInsert writeBytes(byte[] utf8) {
    rows.writeBytes(utf8);
    return this;
  }

  /** A {@code DateTime} column: seconds since the epoch, UInt32 little-endian. */
  public StreamingInsert writeDateTime(long epochSeconds) {
    rows.writeDateTime(epochSeconds);
    return this;
  }

  /** A {@code UInt64} (or {@code Int64}) column, little-endian. */
  public StreamingInsert writeUInt64(long v) {
    rows.writeUInt64(v);
    return this;
  }

  /** Counts a finished row, for messages only (RowBinary has no row delimiter). */
  public void endRow() {
    rowsWritten++;
  }

  /**
   * Ends the body and waits for the server's answer.
   *
   * @throws StatementFailedException when the server rejected the insert (some blocks may be in)
   * @throws StoreUnavailableException when the connection broke (outcome unknown)
   */
  public void finish() {
    finished = true;
    int status;
    try {
      out.close();
      status = connection.getResponseCode();
    } catch (IOException e) {
      throw broken(e);
    }
    if (status != 200) {
      String message;
      try (InputStream err = connection.getErrorStream()) {
        message = err == null ? "HTTP " + status : new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        message = "HTTP " + status;
      }
      int code = ClickHouseErrors.code(message);
      throw new StatementFailedException("ClickHouse at " + url + " rejected 'INSERT INTO " + table
          + " FORMAT RowBinary' (" + rowsWritten + " rows sent): " + ClickHouseErrors.firstLine(message),
          code, ClickHouseErrors.kind(code) == ClickHouseErrors.Kind.TRANSIENT, null);
    }
    try (InputStream in = connection.getInputStream()) {
      in.readAllBytes();
    } catch (IOException e) {
      throw broken(e);
    }
  }

  /** Aborts an unfinished request (the server discards a body that ends mid-row); idempotent. */
  @Override
  public void close() {
    if (!finished) {
      finished = true;
      connection.disconnect();
    }
  }

  private StoreException broken(IOException e) {
    return new StoreUnavailableException("Lost ClickHouse at " + url + " during 'INSERT INTO " + table
        + " FORMAT RowBinary' after " + rowsWritten + " rows: " + e.getMessage() + " (outcome unknown)", e);
  }

  private static StoreException unavailable(String url, IOException e) {
    return new StoreUnavailableException("Cannot reach ClickHouse at " + url + ": " + e.getMessage() + " (check "
        + ClickHouseOptions.URL.key() + " / " + ClickHouseOptions.URL.envName() + ")", e);
  }
}
