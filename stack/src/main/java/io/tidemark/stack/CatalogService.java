package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Iceberg catalog's database. Locally a SQLite file that every engine opens itself, so there is
 * no process: "running" means {@code stack up} prepared it and {@code stack down} has not been
 * called since. Iceberg's own tables are created by the lake module, not here.
 */
final class CatalogService implements LocalService {
  private final TidemarkConfig cfg;
  private final Path home;

  CatalogService(TidemarkConfig resolved, Path home) {
    this.cfg = resolved;
    this.home = home;
  }

  @Override
  public Service service() {
    return Service.CATALOG;
  }

  @Override
  public String name() {
    return "catalog";
  }

  @Override
  public String address() {
    return cfg.get(LakeOptions.CATALOG_URI);
  }

  @Override
  public Map<ConfigOption<Integer>, Integer> ports() {
    return Map.of();
  }

  @Override
  public void prepare(StackListener listener) throws IOException {
    Files.createDirectories(Endpoints.catalogFile(home).getParent());
  }

  @Override
  public List<String> command() {
    return List.of();
  }

  @Override
  public String processIdentity() {
    return address();
  }

  @Override
  public Path logFile() {
    return home.resolve("logs").resolve("catalog.log");
  }

  @Override
  public Health check() {
    String uri = address();
    Properties props = new Properties();
    if (cfg.get(LakeOptions.CATALOG_USER) != null) {
      props.setProperty("user", cfg.get(LakeOptions.CATALOG_USER));
    }
    if (cfg.get(LakeOptions.CATALOG_PASSWORD) != null) {
      props.setProperty("password", cfg.get(LakeOptions.CATALOG_PASSWORD));
    }
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", "5");
    props.setProperty("socketTimeout", "5");
    try (Connection c = DriverManager.getConnection(uri, props);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      rs.next();
      return Health.ok(c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion());
    } catch (SQLException e) {
      return Health.failed("JDBC connection to " + uri + " failed: " + e.getMessage());
    }
  }
}
