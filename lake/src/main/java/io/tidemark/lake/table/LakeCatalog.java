package io.tidemark.lake.table;

import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Opens the shared Iceberg catalog: a JDBC catalog (SQLite locally, PostgreSQL on a server) with
 * S3FileIO on an S3-compatible store. The same properties configure the Connect sink (prefixed
 * {@code iceberg.catalog.}), Spark and the CLI, so every engine sees the same tables.
 */
public final class LakeCatalog {
  private LakeCatalog() {}

  static {
    // s3proxy (and some other S3-compatible stores) reject the SDK's default flexible checksums
    // ("x-amz-content-sha256 header does not match"); only send them where S3 requires them.
    // The SDK reads these when a client is built. The Connect worker gets the same as -D flags.
    setIfAbsent("aws.requestChecksumCalculation", "when_required");
    setIfAbsent("aws.responseChecksumValidation", "when_required");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The catalog properties for the resolved configuration (endpoint and catalog URI set). */
  public static Map<String, String> properties(TidemarkConfig cfg) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(CatalogProperties.CATALOG_IMPL, TidemarkJdbcCatalog.class.getName());
    p.put(CatalogProperties.URI, cfg.require(LakeOptions.CATALOG_URI));
    if (cfg.get(LakeOptions.CATALOG_USER) != null) {
      p.put(JdbcCatalog.PROPERTY_PREFIX + "user", cfg.get(LakeOptions.CATALOG_USER));
    }
    if (cfg.get(LakeOptions.CATALOG_PASSWORD) != null) {
      p.put(JdbcCatalog.PROPERTY_PREFIX + "password", cfg.get(LakeOptions.CATALOG_PASSWORD));
    }
    p.put("jdbc.schema-version", "V1");
    if (p.get(CatalogProperties.URI).startsWith("jdbc:sqlite:")) {
      // Several processes share the catalog file (the Connect worker commits while lake status,
      // Spark or a test reads). In SQLite's default rollback journal a reader's open statement
      // blocks the writer's commit (SQLITE_BUSY, every cycle); in WAL mode readers never block
      // the writer. sqlite-jdbc applies both pragmas from the connection properties.
      p.put(JdbcCatalog.PROPERTY_PREFIX + "journal_mode", "WAL");
      p.put(JdbcCatalog.PROPERTY_PREFIX + "busy_timeout", "30000");
    }
    p.put(CatalogProperties.WAREHOUSE_LOCATION, "s3://" + cfg.require(LakeOptions.BUCKET) + "/warehouse");
    p.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("s3.endpoint", cfg.require(LakeOptions.S3_ENDPOINT));
    p.put("s3.path-style-access", String.valueOf(cfg.get(LakeOptions.S3_PATH_STYLE)));
    p.put("s3.access-key-id", cfg.require(LakeOptions.S3_ACCESS_KEY));
    p.put("s3.secret-access-key", cfg.require(LakeOptions.S3_SECRET_KEY));
    p.put("client.region", cfg.require(LakeOptions.S3_REGION));
    return p;
  }

  /** Opens the catalog; close it when done (it holds a JDBC pool and S3 clients). */
  public static JdbcCatalog open(TidemarkConfig cfg) {
    JdbcCatalog catalog = new TidemarkJdbcCatalog();
    catalog.setConf(new org.apache.hadoop.conf.Configuration(false));
    catalog.initialize(cfg.require(LakeOptions.CATALOG_NAME), properties(cfg));
    return catalog;
  }
}
