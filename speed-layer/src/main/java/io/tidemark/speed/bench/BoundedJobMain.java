package io.tidemark.speed.bench;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.speed.SpeedLayerJob;
import io.tidemark.speed.SpeedOptions;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The benchmark's job process: the speed layer on a MiniCluster, alone in a
 * JVM of its own, so that the benchmark measures the RSS and the GC work of the job (with the
 * launcher's heap) and not of the benchmark's JVM, which also generated the backlog.
 *
 * <p>Arguments: the resolved configuration as a properties file, the REST port the benchmark
 * samples, and {@code bounded} (end at the backlog's end) or {@code unbounded} (the freshness run,
 * which the benchmark kills). Prints {@link #END_MARKER} with the epoch milliseconds at which the job ended and the
 * JVM's total GC time, then exits 0; a failed job exits 1.
 */
public final class BoundedJobMain {
  /** Line prefix the benchmark reads from this process's output. */
  static final String END_MARKER = "tidemark-bench-job-end";

  private BoundedJobMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: BoundedJobMain CONFIG.properties REST_PORT bounded|unbounded");
      System.exit(2);
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      p.load(in);
    }
    Map<String, String> values = new HashMap<>();
    p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
    TidemarkConfig cfg = TidemarkConfig.of(values);
    Configuration conf = SpeedLayerJob.flinkConfiguration(cfg);
    conf.setString("rest.port", args[1]);
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(cfg.get(SpeedOptions.PARALLELISM)));
    // the REST API serves metrics from a cache refreshed every 10 s by default; the sampler needs 1 s
    conf.setString("metrics.fetcher.update-interval", "1000");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    try {
      SpeedLayerJob.fromConfig(cfg, args[2].equals("bounded")).execute(env);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    long end = System.currentTimeMillis();
    long gcMillis = 0;
    long gcCount = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
      gcCount += Math.max(0, gc.getCollectionCount());
    }
    System.out.println(END_MARKER + " " + end + " " + gcMillis + " " + gcCount);
    System.out.flush();
    System.exit(0);
  }

  /** Writes {@code cfg}'s explicit values where this process can read them. */
  static Path writeConfig(TidemarkConfig cfg, Path dir) throws IOException {
    Properties p = new Properties();
    p.putAll(cfg.explicitValues());
    Path file = Files.createTempFile(dir, "bench-job-", ".properties");
    try (var out = Files.newOutputStream(file)) {
      p.store(out, "speed bench job");
    }
    return file;
  }
}
