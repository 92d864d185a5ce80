package io.tidemark.lake.table;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;

/** Tidemark's JDBC catalog on a SQLite file and a local warehouse under a test's folder. */
public final class LocalCatalogs {
  private LocalCatalogs() {}

  /** Opens the catalog in {@code dir}; {@code extra} adds or overrides catalog properties. */
  public static JdbcCatalog sqlite(Path dir, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(Map.of(
        CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"),
        CatalogProperties.WAREHOUSE_LOCATION, dir.resolve("warehouse").toUri().toString(),
        "jdbc.schema-version", "V1"));
    props.putAll(extra);
    JdbcCatalog c = new TidemarkJdbcCatalog();
    c.setConf(new org.apache.hadoop.conf.Configuration(false));
    c.initialize("t", props);
    return c;
  }
}
