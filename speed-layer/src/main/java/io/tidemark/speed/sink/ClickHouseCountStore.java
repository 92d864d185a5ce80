package io.tidemark.speed.sink;

import io.tidemark.schema.clickhouse.CountTable;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.data.ClickHouseFormat;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.RowBinaryOutput;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link CountStore} on ClickHouse's {@code *_store} ReplacingMergeTree(version) tables, written
 * with client-v2 as RowBinary over HTTP (works on ClickHouse 18.16 and current versions). At one row
 * per changed window and flush, the format matters: TabSeparated made the server parse two
 * DateTime texts per row and the writer format them; RowBinary ({@link RowBinaryOutput}) copies
 * numbers as they are.
 *
 * <pre>{@code
 * CountStore.Factory stores = ClickHouseCountStore.builder()
 *     .url("http://localhost:8123").database("tidemark").user("default").password("")
 *     .timeout(Duration.ofSeconds(30)).build();
 * }</pre>
 */
public final class ClickHouseCountStore implements CountStore {
  /** Server error codes that a retry cannot fix: missing table/database, auth, bad input. */
  private static final Set<Integer> PERMANENT_ERRORS =
      Set.of(
          16, // NO_SUCH_COLUMN_IN_TABLE
          26, 27, 38, 41, 53, 62, 69, 70, 72, 117, // parse and type errors
          60, // UNKNOWN_TABLE
          81, // UNKNOWN_DATABASE
          164, // READONLY
          192, 193, 194, 516, // UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED
          497); // ACCESS_DENIED


  private final Client client;
  private final String url;
  private final String database;
  private final long timeoutMs;

  private ClickHouseCountStore(Settings s) {
    this.url = s.url;
    this.timeoutMs = s.timeout.toMillis();
    this.database = s.database;
    this.client =
        new Client.Builder()
            .addEndpoint(s.url)
            .setUsername(s.user)
            .setPassword(s.password)
            .compressServerResponse(false)
            .compressClientRequest(false)
            .setSocketTimeout(s.timeout.toMillis())
            .setConnectTimeout(Math.min(s.timeout.toMillis(), 10_000))
            .setMaxRetries(0)
            .build();
  }

  /** The store table of a metric ({@link CountTable#of}). */
  public static String storeTable(CountMetric metric) {
    return CountTable.of(metric).storeTable();
  }

  @Override
  public void write(CountMetric metric, Collection<Row> rows) throws CountStoreException {
    if (rows.isEmpty()) {
      return;
    }
    Body body = toRowBinary(rows);
    String table = database + "." + storeTable(metric);
    try {
      client
          .insert(table, columns(metric), body.asInput(), ClickHouseFormat.RowBinary)
          .get(timeoutMs, TimeUnit.MILLISECONDS)
          .close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CountStoreException("Interrupted while writing to " + table, true, e);
    } catch (TimeoutException e) {
      throw new CountStoreException(
          "Insert of " + rows.size() + " rows into " + table + " at " + url + " timed out after " + timeoutMs + " ms", true, e);
    } catch (ExecutionException e) {
      throw classify(table, rows.size(), e.getCause() == null ? e : e.getCause());
    } catch (Exception e) {
      throw classify(table, rows.size(), e);
    }
  }

  private CountStoreException classify(String table, int rows, Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && !(root instanceof ServerException)) {
      root = root.getCause();
    }
    if (root instanceof ServerException se) {
      int code = ClickHouseSql.serverCode(se);
      boolean permanent = PERMANENT_ERRORS.contains(code);
      return new CountStoreException(
          "ClickHouse at " + url + " rejected " + rows + " rows for " + table + " (code " + code + "): "
              + firstLine(se.getMessage()),
          !permanent,
          t);
    }
    return new CountStoreException(
        "Cannot write " + rows + " rows to " + table + " at " + url + ": " + firstLine(String.valueOf(t.getMessage())),
        true,
        t);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Columns of {@link #toRowBinary}, in order. */
  static List<String> columns(CountMetric metric) {
    return List.of(metric.keyColumn(), "window_start", "count", "version", "source", "written_at");
  }

  /** {@code source}'s Enum8 value for rows of the speed layer ({@code 'speed' = 1}). */
  static final int SOURCE_SPEED = 1;

  /** Rows in RowBinary, in the order and types of {@link #columns}. */
  static Body toRowBinary(Collection<Row> rows) {
    Body body = new Body(rows.size() * 64);
    RowBinaryOutput out = new RowBinaryOutput(body);
    for (Row r : rows) {
      out.writeString(r.key())
          .writeDateTime(Math.floorDiv(r.windowStart(), 1000L))
          .writeUInt64(r.count())
          .writeUInt64(r.version())
          .writeInt8(SOURCE_SPEED)
          .writeDateTime(Math.floorDiv(r.writtenAtMs(), 1000L));
    }
    return body;
  }

  /** A request body read in place, without the copy {@code toByteArray()} makes. */
  static final class Body extends java.io.ByteArrayOutputStream {
    Body(int size) {
      super(size);
    }

    java.io.InputStream asInput() {
      return new ByteArrayInputStream(buf, 0, count);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Connection settings; serializable, it is the {@link CountStore.Factory}. */
  private static final class Settings implements CountStore.Factory {
    private static final long serialVersionUID = 1L;
    private String url;
    private String database;
    private String user;
    private String password;
    private Duration timeout;

    @Override
    public CountStore open() {
      return new ClickHouseCountStore(this);
    }
  }

  /** Builds a {@link CountStore.Factory}; {@code url} is required. */
  public static final class Builder {
    private final Settings s = new Settings();

    private Builder() {
      s.database = "tidemark";
      s.user = "default";
      s.password = "";
      s.timeout = Duration.ofSeconds(30);
    }

    public Builder url(String url) {
      s.url = url;
      return this;
    }

    public Builder database(String database) {
      s.database = database;
      return this;
    }

    public Builder user(String user) {
      s.user = user;
      return this;
    }

    public Builder password(String password) {
      s.password = password == null ? "" : password;
      return this;
    }

    public Builder timeout(Duration timeout) {
      s.timeout = timeout;
      return this;
    }

    public CountStore.Factory build() {
      if (s.url == null || s.url.isBlank()) {
        throw new IllegalArgumentException("Property url is required but not provided");
      }
      Objects.requireNonNull(s.database, "database");
      return s;
    }
  }
}
