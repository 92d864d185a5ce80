package io.tidemark.reconcile.bench;

import static org.apache.spark.sql.functions.col;

import io.tidemark.batch.table.BatchTables;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.schema.clickhouse.StreamingInsert;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.SparkWriteOptions;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The floors of the nightly path's unavoidable parts after the lake read, each a minimal best case
 * that does one thing and nothing else, for {@code bench batch}: whatever design issue 6's
 * mandate allows (Spark reads the day from Iceberg, writes the authoritative counts to Iceberg
 * replacing the day, compares with ClickHouse, and replaces ClickHouse's day partitions from a
 * verified staging table), it must at least write the day's count rows to Iceberg once and move
 * them into ClickHouse once. These time exactly that, starting from the day's count rows already
 * computed and cached in Spark (the caching is not timed).
 *
 * <ul>
 *   <li>{@link #icebergWrite}: the cached rows of both metrics appended to scratch Iceberg tables
 *       with the count tables' schema, partition spec and properties, written like the batch job
 *       writes (no shuffle before the write), and nothing else;
 *   <li>{@link #clickHouseTransfer}: the same rows' cells (key, window start, count, too-late,
 *       not-streamed) streamed by Spark tasks into one scratch MergeTree table ordered like a
 *       staging table, {@code (key, window_start)}, and nothing else.
 * </ul>
 *
 * <p>Scratch tables are created before and dropped after each floor. Not thread-safe.
 */
final class NightlyFloors implements AutoCloseable {
  static final String ICEBERG_SUFFIX = "_floor";
  static final String CLICKHOUSE_TABLE = "floor_cells";

  /** How the transfer floor moves the cells. */
  enum Transfer {
    /** {@link StreamingInsert}: RowBinary streamed over one HTTP request per Spark task. */
    ROW_BINARY,
    /** TabSeparated text in 500,000-row requests, as reconcile's cell load did before (client-v2). */
    TAB_SEPARATED
  }

  /**
   * One timed floor: wall-clock seconds, CPU seconds of this JVM (all threads) and of ClickHouse's
   * query threads ({@link #clickHouseCpuSeconds}), and the rows it moved.
   */
  record Timed(double seconds, double cpuSeconds, double clickHouseCpuSeconds, long rows) {
    double totalCpuSeconds() {
      return cpuSeconds + clickHouseCpuSeconds;
    }
  }

  /**
   * CPU seconds ClickHouse's query threads have used since the server started (user + system, its
   * {@code system.events} counters; background merges are not included). The difference around a
   * step is ClickHouse's CPU for that step, as long as nothing else queries the server meanwhile
   * (the bench's own database on its own stack).
   */
  static double clickHouseCpuSeconds(ClickHouseSql sql) {
    return sql.queryLong("SELECT sum(value) AS n FROM system.events"
        + " WHERE event IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds')", Map.of()) / 1e6;
  }

  private final SparkSession spark;
  private final BatchTables tables;
  private final String namespace;
  private final LocalDate day;
  private final ClickHouseSql sql;
  private final Map<CountMetric, Dataset<Row>> cached = new EnumMap<>(CountMetric.class);
  private long cachedRows;

  NightlyFloors(SparkSession spark, BatchTables tables, String namespace, LocalDate day, ClickHouseSql sql) {
    this.spark = spark;
    this.tables = tables;
    this.namespace = namespace;
    this.day = day;
    this.sql = sql;
  }

  /**
   * Reads the day's count rows of both metrics (the batch result) into Spark's memory, spread over
   * {@code partitions} partitions (the shuffle partitions the batch job's aggregates have), and
   * materializes them. Not part of any floor. Returns the rows cached.
   */
  long cacheCounts(int partitions) {
    String filter = "window_start >= timestamp_millis(" + Windows.dayStartMs(day) + ") AND window_start < timestamp_millis("
        + Windows.dayEndMs(day) + ")";
    cachedRows = 0;
    for (CountMetric m : CountMetric.values()) {
      Dataset<Row> rows = spark.table(tables.counts(m)).where(filter).repartition(partitions)
          .persist(StorageLevel.MEMORY_AND_DISK());
      cachedRows += rows.count();
      cached.put(m, rows);
    }
    return cachedRows;
  }

  /**
   * The Iceberg write floor: the cached rows appended to {@code <count table>_floor} (same schema,
   * partition spec and table properties as the count table), one commit per metric, as the batch
   * job writes (distribution mode {@code none}), with Iceberg's fanout writer when {@code fanout}
   * (no local sort by partition before the write). Times the two appends only.
   */
  Timed icebergWrite(boolean fanout) throws Exception {
    Catalog catalog = Spark3Util.loadIcebergCatalog(spark, tables.counts(CountMetric.USER).split("\\.")[0]);
    Map<CountMetric, String> scratch = new EnumMap<>(CountMetric.class);
    for (CountMetric m : CountMetric.values()) {
      Table source = Spark3Util.loadIcebergTable(spark, tables.counts(m));
      TableIdentifier id = TableIdentifier.of(namespace, source.name().substring(source.name().lastIndexOf('.') + 1)
          + ICEBERG_SUFFIX);
      catalog.dropTable(id, false);
      catalog.createTable(id, source.schema(), source.spec(), source.properties());
      scratch.put(m, tables.counts(m) + ICEBERG_SUFFIX);
    }
    try {
      double chCpu = clickHouseCpuSeconds(sql);
      long t = System.nanoTime();
      long cpu = cpuNanos();
      for (CountMetric m : CountMetric.values()) {
        cached.get(m).writeTo(scratch.get(m)).option(SparkWriteOptions.DISTRIBUTION_MODE, "none")
            .option(SparkWriteOptions.FANOUT_ENABLED, String.valueOf(fanout)).append();
      }
      double seconds = (System.nanoTime() - t) / 1e9;
      double cpuSeconds = (cpuNanos() - cpu) / 1e9;
      chCpu = clickHouseCpuSeconds(sql) - chCpu;
      long written = 0;
      for (CountMetric m : CountMetric.values()) {
        Table t2 = Spark3Util.loadIcebergTable(spark, scratch.get(m));
        t2.refresh();
        written += Long.parseLong(t2.currentSnapshot().summary().get("added-records"));
      }
      if (written != cachedRows) {
        throw new IllegalStateException("Iceberg write floor wrote " + written + " rows, expected " + cachedRows);
      }
      return new Timed(seconds, cpuSeconds, chCpu, written);
    } finally {
      // Without purge: s3proxy answers Iceberg's bulk delete with 501, so the files stay under the
      // bench namespace either way (see docs/batch-and-reconcile.md, Open).
      for (CountMetric m : CountMetric.values()) {
        spark.sql("DROP TABLE IF EXISTS " + scratch.get(m));
      }
    }
  }

  /**
   * The ClickHouse transfer floor: the cached cells of both metrics into a scratch MergeTree table
   * ({@code key, window_start, count, too_late, not_streamed}, ordered by {@code (key,
   * window_start)}) by {@code streams} Spark tasks at once, each streaming its share. Times the
   * transfer only; checks that ClickHouse holds every row.
   */
  Timed clickHouseTransfer(Transfer transfer, int streams) {
    String table = sql.database() + "." + CLICKHOUSE_TABLE;
    sql.execute("DROP TABLE IF EXISTS {t:Identifier}", Map.of("t", table));
    sql.execute("CREATE TABLE {t:Identifier} (key String, window_start DateTime('UTC'), count UInt64,"
        + " too_late UInt64, not_streamed UInt64) ENGINE = MergeTree PARTITION BY toYYYYMMDD(window_start)"
        + " ORDER BY (key, window_start)", Map.of("t", table));
    try {
      Dataset<Row> cells = null;
      for (CountMetric m : CountMetric.values()) {
        Dataset<Row> c = cached.get(m).select(col(m.keyColumn()).as("key"), col(BatchTables.WINDOW_START),
            col(BatchTables.COUNT), col(BatchTables.TOO_LATE), col(BatchTables.NOT_STREAMED));
        cells = cells == null ? c : cells.unionAll(c);
      }
      Dataset<Row> parts = cells.coalesce(streams);
      double chCpu = clickHouseCpuSeconds(sql);
      long t = System.nanoTime();
      long cpu = cpuNanos();
      parts.foreachPartition(transfer == Transfer.ROW_BINARY
          ? new RowBinaryLoader(sql.endpoint(), table) : new TabSeparatedLoader(sql.endpoint(), table));
      double seconds = (System.nanoTime() - t) / 1e9;
      double cpuSeconds = (cpuNanos() - cpu) / 1e9;
      chCpu = clickHouseCpuSeconds(sql) - chCpu;
      long arrived = sql.queryLong("SELECT count() AS n FROM {t:Identifier}", Map.of("t", table));
      if (arrived != cachedRows) {
        throw new IllegalStateException(String.format(Locale.ROOT, "ClickHouse transfer floor (%s, %d streams) left %d rows"
            + " in %s, expected %d", transfer, streams, arrived, table, cachedRows));
      }
      return new Timed(seconds, cpuSeconds, chCpu, arrived);
    } finally {
      sql.execute("DROP TABLE IF EXISTS {t:Identifier}", Map.of("t", table));
    }
  }

  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0L;
  }

  @Override
  public void close() {
    cached.values().forEach(Dataset::unpersist);
    cached.clear();
  }

  /** One Spark partition of cells as one streamed RowBinary insert. */
  private record RowBinaryLoader(ClickHouseSql.Endpoint endpoint, String table) implements ForeachPartitionFunction<Row> {
    @Override
    public void call(Iterator<Row> rows) {
      try (StreamingInsert in = StreamingInsert.open(endpoint, table)) {
        while (rows.hasNext()) {
          Row r = rows.next();
          in.writeString(r.getString(0)).writeDateTime(r.getTimestamp(1).getTime() / 1000L).writeUInt64(r.getLong(2))
              .writeUInt64(r.getLong(3)).writeUInt64(r.getLong(4)).endRow();
        }
        in.finish();
      }
    }
  }

  /** One Spark partition of cells as TabSeparated requests of 500,000 rows (client-v2). */
  private record TabSeparatedLoader(ClickHouseSql.Endpoint endpoint, String table) implements ForeachPartitionFunction<Row> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    public void call(Iterator<Row> rows) {
      ByteArrayOutputStream body = new ByteArrayOutputStream(64 << 20);
      StringBuilder line = new StringBuilder(128);
      try (ClickHouseSql sql = endpoint.open()) {
        long n = 0;
        while (rows.hasNext()) {
          Row r = rows.next();
          line.setLength(0);
          line.append(ClickHouseSql.tsvEscape(r.getString(0))).append('\t')
              .append(TIME.format(Instant.ofEpochMilli(r.getTimestamp(1).getTime()))).append('\t')
              .append(r.getLong(2)).append('\t').append(r.getLong(3)).append('\t').append(r.getLong(4)).append('\n');
          body.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
          if (++n == 500_000) {
            sql.insertTabSeparated(table, body.toByteArray(), n);
            body.reset();
            n = 0;
          }
        }
        sql.insertTabSeparated(table, body.toByteArray(), n);
      }
    }
  }
}
