package io.tidemark.batch.testing;

import io.tidemark.batch.BatchOptions;
import io.tidemark.batch.spark.LakeSpark;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import io.tidemark.testsupport.TestServices;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * One Spark session per test JVM (local[2], 2 shuffle partitions) on the JVM's test services, and
 * the configuration it was built from. Spark stops with the JVM.
 */
public final class SparkForTests {
  private static TidemarkConfig config;
  private static SparkSession spark;

  private SparkForTests() {}

  /** Services (S3, catalog, ClickHouse) and batch settings for tests. */
  public static synchronized TidemarkConfig config() {
    if (config == null) {
      TidemarkConfig base =
          TestServices.get(Service.CLICKHOUSE, Service.S3, Service.CATALOG).config();
      Map<String, String> v = new TreeMap<>(base.explicitValues());
      v.put(BatchOptions.SPARK_MASTER.key(), "local[2]");
      v.put(BatchOptions.SHUFFLE_PARTITIONS.key(), "2");
      config = TidemarkConfig.of(v);
    }
    return config;
  }

  public static synchronized SparkSession spark() {
    if (spark == null) {
      spark = LakeSpark.session(config());
      spark.sparkContext().setLogLevel("WARN");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop(), "spark-stop"));
    }
    return spark;
  }
}
