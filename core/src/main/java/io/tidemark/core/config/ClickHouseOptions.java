package io.tidemark.core.config;

import java.util.List;

/** Where ClickHouse is and how Tidemark logs in. */
public final class ClickHouseOptions {
  private ClickHouseOptions() {}

  public static final ConfigOption<String> URL =
      ConfigOption.stringKey("tidemark.clickhouse.url")
          .description("HTTP URL of an existing ClickHouse server (http://host:8123); unset means the local stack's server.");

  public static final ConfigOption<String> DATABASE =
      ConfigOption.stringKey("tidemark.clickhouse.database")
          .defaultValue("tidemark")
          .description("Database that holds Tidemark's tables.");

  public static final ConfigOption<String> USER =
      ConfigOption.stringKey("tidemark.clickhouse.user")
          .defaultValue("default")
          .description("ClickHouse user for writers (speed layer, reconcile, migrate).");

  public static final ConfigOption<String> PASSWORD =
      ConfigOption.stringKey("tidemark.clickhouse.password")
          .defaultValue("")
          .secret()
          .description("Password of tidemark.clickhouse.user.");

  public static final ConfigOption<String> READONLY_USER =
      ConfigOption.stringKey("tidemark.clickhouse.readonly-user")
          .defaultValue("tidemark_reader")
          .description("Read-only ClickHouse user the serving layer queries with.");

  public static final ConfigOption<String> READONLY_PASSWORD =
      ConfigOption.stringKey("tidemark.clickhouse.readonly-password")
          .defaultValue("tidemark_reader")
          .secret()
          .description("Password of tidemark.clickhouse.readonly-user.");

  public static List<ConfigOption<?>> all() {
    return List.of(URL, DATABASE, USER, PASSWORD, READONLY_USER, READONLY_PASSWORD);
  }
}
