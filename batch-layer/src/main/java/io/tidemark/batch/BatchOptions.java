package io.tidemark.batch;

import io.tidemark.core.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/** Options of the Spark batch job ({@code tidemark.batch.*}). */
public final class BatchOptions {
  private BatchOptions() {}

  public static final ConfigOption<String> SPARK_MASTER =
      ConfigOption.stringKey("tidemark.batch.spark-master")
          .defaultValue("local[*]")
          .description("Spark master when the job is not started by spark-submit (which sets its own): local[*], spark://host:7077, ...");

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
    return List.of(SPARK_MASTER, SHUFFLE_PARTITIONS, DEDUP_MARGIN, EVENTS_TABLE, TABLE_SUFFIX);
  }
}
