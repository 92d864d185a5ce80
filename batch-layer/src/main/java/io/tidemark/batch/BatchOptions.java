package io.tidemark.batch;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options of the Spark batch job ({@code tidemark.batch.*}). */
public final class BatchOptions {
  private BatchOptions() {}

  public static final ConfigOption<String> SPARK_MASTER =
      ConfigOption.stringKey("tidemark.batch.spark-master")
          .defaultValue("local[*]")
          .description("Spark master when the job is not started by spark-submit (which sets its own): local[*], spark://host:7077, ...");

  public static final ConfigOption<String> SPARK_CONF =
      ConfigOption.stringKey("tidemark.batch.spark-conf")
          .description("Extra Spark properties of the batch and reconcile sessions, key=value separated by whitespace,"
              + " e.g. spark.executor.extraClassPath=/opt/tidemark/lib/* spark.cores.max=4: what a cluster's executors"
              + " need to load Tidemark's classes (Iceberg, the catalog driver, core) when tidemark.batch.spark-master"
              + " names a cluster.");

  public static final ConfigOption<Integer> SHUFFLE_PARTITIONS =
      ConfigOption.intKey("tidemark.batch.shuffle-partitions")
          .defaultValue(8)
          .description("spark.sql.shuffle.partitions of the batch job (dedup and count shuffles).");

  public static final ConfigOption<Duration> DEDUP_MARGIN =
      ConfigOption.durationKey("tidemark.batch.dedup-margin")
          .defaultValue(Duration.ofHours(1))
          .description("Lake rows this far before and after the day are read too, so a redelivery whose first copy lies across midnight is deduplicated like the speed layer does.");

  public static final ConfigOption<String> EVENTS_TABLE =
      ConfigOption.stringKey("tidemark.batch.events-table")
          .defaultValue("pageview_events")
          .description("Lake table of raw events (in tidemark.catalog.namespace) the batch job reads.");

  public static final ConfigOption<String> TABLE_SUFFIX =
      ConfigOption.stringKey("tidemark.batch.table-suffix")
          .defaultValue("_batch")
          .description("Suffix of the Iceberg count tables: <serving table><suffix>, e.g. user_page_counts_batch.");

  public static List<ConfigOption<?>> all() {
    return List.of(SPARK_MASTER, SPARK_CONF, SHUFFLE_PARTITIONS, DEDUP_MARGIN, EVENTS_TABLE, TABLE_SUFFIX);
  }

  /**
   * {@link #SPARK_CONF} as Spark properties, in the order given.
   *
   * @throws ConfigException for an entry without {@code =} or whose key does not start with {@code spark.}
   */
  public static Map<String, String> sparkConf(TidemarkConfig cfg) {
    Map<String, String> conf = new LinkedHashMap<>();
    String raw = cfg.get(SPARK_CONF);
    if (raw == null || raw.isBlank()) {
      return conf;
    }
    for (String entry : raw.strip().split("\\s+")) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || !entry.startsWith("spark.")) {
        throw new ConfigException("Invalid entry '" + entry + "' in " + SPARK_CONF.key() + " (" + SPARK_CONF.envName()
            + "): expected spark.<property>=<value>");
      }
      conf.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return conf;
  }
}
