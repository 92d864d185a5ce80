package io.tidemark.lake.table;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.rowset.CachedRowSet;
import javax.sql.rowset.RowSetProvider;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcClientPool;

/**
 * Iceberg's {@link JdbcCatalog} with one fix for catalogs shared by several processes on SQLite.
 *
 * <p>Iceberg 1.10.1's {@code JdbcCatalog.initialize} never closes the {@code ResultSet}s of its
 * {@code DatabaseMetaData.getTables}/{@code getColumns} checks. On SQLite an open statement keeps
 * its connection's read transaction open, so one pooled connection stays pinned to the database
 * as it was at start-up: in rollback-journal mode its lock makes every commit of another process
 * fail with SQLITE_BUSY; in WAL mode it keeps reading the old table metadata and never sees new
 * snapshots. This catalog hands Iceberg connections whose metadata result sets are copied into
 * detached {@link CachedRowSet}s and closed at once. Harmless on other databases.
 *
 * <p>Used by the CLI and, as {@code iceberg.catalog.catalog-impl}, by the Connect sink.
 */
public class TidemarkJdbcCatalog extends JdbcCatalog {
  public TidemarkJdbcCatalog() {
    super(null, props -> new DetachedMetadataPool(props.get(CatalogProperties.URI), props), true);
  }

  static final class DetachedMetadataPool extends JdbcClientPool {
    DetachedMetadataPool(String url, Map<String, String> props) {
      super(url, props);
    }

    @Override
    protected Connection newClient() {
      Connection c = super.newClient();
      return (Connection) Proxy.newProxyInstance(
          Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, new Forward(c, true));
    }
  }

  private record Forward(Object target, boolean isConnection) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
      Object result;
      try {
        result = m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (isConnection && m.getName().equals("getMetaData")) {
        return Proxy.newProxyInstance(
            DatabaseMetaData.class.getClassLoader(), new Class<?>[] {DatabaseMetaData.class}, new Forward(result, false));
      }
      if (!isConnection && result instanceof ResultSet rs && !m.getName().equals("getConnection")) {
        return detach(rs);
      }
      return result;
    }

    private static CachedRowSet detach(ResultSet rs) throws SQLException {
      try (rs) {
        CachedRowSet copy = RowSetProvider.newFactory().createCachedRowSet();
        copy.populate(rs);
        return copy;
      }
    }
  }
}
