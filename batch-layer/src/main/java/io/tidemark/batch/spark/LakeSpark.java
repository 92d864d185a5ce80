package io.tidemark.batch.spark;

import io.tidemark.batch.BatchOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the {@link SparkSession} of the batch layer with the shared Iceberg catalog registered
 * under {@code tidemark.catalog.name}: a JDBC catalog (SQLite locally, PostgreSQL on a server) with
 * S3FileIO on the S3-compatible store, configured exactly like the lake's Connect sink (the lake
 * module's {@code LakeCatalog}), so Spark sees the tables the archive writes.
 *
 * <p>Under {@code spark-submit} the master comes from spark-submit; otherwise from {@link
 * BatchOptions#SPARK_MASTER} ({@code local[*]} by default), and {@link BatchOptions#SPARK_CONF}
 * adds what a cluster's executors need: this is how the CLI, and so the Airflow tasks, are switched
 * to a cluster by configuration alone. {@code getOrCreate} semantics: a process (a test JVM, a
 * backfill) shares one session.
 */
public final class LakeSpark {
  private LakeSpark() {}

  static {
    // s3proxy and some other S3-compatible stores reject the SDK's default flexible checksums.
    setIfAbsent("aws.requestChecksumCalculation", "when_required");
    setIfAbsent("aws.responseChecksumValidation", "when_required");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The Spark catalog name of the lake ({@code tidemark.catalog.name}). */
  public static String catalogName(TidemarkConfig cfg) {
    return cfg.get(LakeOptions.CATALOG_NAME);
  }

  /** {@code <catalog>.<namespace>.<table>} as Spark names it. */
  public static String tableName(TidemarkConfig cfg, String table) {
    return catalogName(cfg) + "." + cfg.get(LakeOptions.NAMESPACE) + "." + table;
  }

  /** Spark configuration of the Iceberg catalog, {@code spark.sql.catalog.<name>.*}. */
  public static Map<String, String> catalogConf(TidemarkConfig cfg) {
    String prefix = "spark.sql.catalog." + catalogName(cfg);
    Map<String, String> p = new LinkedHashMap<>();
    p.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    p.put(prefix + ".catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
    p.put(prefix + ".uri", cfg.require(LakeOptions.CATALOG_URI));
    if (cfg.get(LakeOptions.CATALOG_USER) != null) {
      p.put(prefix + ".jdbc.user", cfg.get(LakeOptions.CATALOG_USER));
    }
    if (cfg.get(LakeOptions.CATALOG_PASSWORD) != null) {
      p.put(prefix + ".jdbc.password", cfg.get(LakeOptions.CATALOG_PASSWORD));
    }
    p.put(prefix + ".jdbc.schema-version", "V1");
    p.put(prefix + ".warehouse", "s3://" + cfg.require(LakeOptions.BUCKET) + "/warehouse");
    p.put(prefix + ".io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put(prefix + ".s3.endpoint", cfg.require(LakeOptions.S3_ENDPOINT));
    p.put(prefix + ".s3.path-style-access", String.valueOf(cfg.get(LakeOptions.S3_PATH_STYLE)));
    p.put(prefix + ".s3.access-key-id", cfg.require(LakeOptions.S3_ACCESS_KEY));
    p.put(prefix + ".s3.secret-access-key", cfg.require(LakeOptions.S3_SECRET_KEY));
    p.put(prefix + ".client.region", cfg.require(LakeOptions.S3_REGION));
    return p;
  }

  /** The process's session, created on first use with the lake catalog and UTC session time. */
  public static SparkSession session(TidemarkConfig cfg) {
    SparkSession.Builder b = SparkSession.builder().appName("tidemark-batch");
    if (System.getProperty("spark.master") == null) {
      b.master(cfg.get(BatchOptions.SPARK_MASTER));
      b.config("spark.driver.host", "localhost");
      b.config("spark.ui.enabled", "false");
    }
    b.config("spark.sql.session.timeZone", "UTC");
    b.config("spark.sql.shuffle.partitions", String.valueOf(cfg.get(BatchOptions.SHUFFLE_PARTITIONS)));
    // The batch job caches one compact dataset (keys, window, flags; read by every figure). Building
    // a compressed columnar cache spent about a sixth of the executors' CPU gathering compression
    // statistics (JFR, 1M events); uncompressed it costs memory instead, about 60 bytes per event.
    b.config("spark.sql.inMemoryColumnarStorage.compressed", "false");
    b.config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    b.config(
        "spark.executor.extraJavaOptions",
        "--add-opens=java.base/java.nio=ALL-UNNAMED -Daws.requestChecksumCalculation=when_required"
            + " -Daws.responseChecksumValidation=when_required");
    catalogConf(cfg).forEach(b::config);
    // Last, so that a cluster's needs (executor classpath, memory, cores) can override the above.
    BatchOptions.sparkConf(cfg).forEach(b::config);
    return b.getOrCreate();
  }
}
