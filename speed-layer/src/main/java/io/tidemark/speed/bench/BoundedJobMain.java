package io.tidemark.speed.bench;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.speed.SpeedLayerJob;
import io.tidemark.speed.SpeedLayerMain;
import io.tidemark.speed.SpeedOptions;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The benchmark's job process: the speed layer on a MiniCluster, alone in a
 * JVM of its own, so that the benchmark measures the RSS and the GC work of the job (with the
 * launcher's heap) and not of the benchmark's JVM, which also generated the backlog.
 *
 * <p>Arguments: the resolved configuration as a properties file, the REST port the benchmark
 * samples, and {@code bounded} (end at the backlog's end) or {@code unbounded} (the freshness run,
 * which the benchmark kills), and optionally a {@link FloorJob.Floor} to run instead of the speed layer. Prints {@link #END_MARKER} with the epoch milliseconds at which the job ended, the
 * JVM's total GC time and collections, and the process's CPU time (all threads, start-up included, in
 * milliseconds), then exits 0; a failed job exits 1.
 */
public final class BoundedJobMain {
  /** Line prefix the benchmark reads from this process's output. */
  static final String END_MARKER = "tidemark-bench-job-end";

  private BoundedJobMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println("usage: BoundedJobMain CONFIG.properties REST_PORT bounded|unbounded [FLOOR]");
      System.exit(2);
    }
    // the web UI on the port the benchmark samples, no Prometheus endpoint (it would clash with a running layer)
    TidemarkConfig cfg = TidemarkConfig.load(Path.of(args[0]), Map.of(), Map.of(), List.of())
        .with(SpeedOptions.WEB_UI_PORT, Integer.parseInt(args[1]))
        .with(SpeedOptions.METRICS_PORT, -1);
    Configuration extra = new Configuration();
    // the REST API serves metrics from a cache refreshed every 10 s by default; the sampler needs 1 s
    extra.setString("metrics.fetcher.update-interval", "1000");
    StreamExecutionEnvironment env = SpeedLayerMain.environment(cfg, extra);
    try {
      if (args.length == 4) {
        FloorJob.build(env, cfg, FloorJob.Floor.parse(args[3]));
        env.execute(cfg.get(SpeedOptions.JOB_NAME));
      } else {
        SpeedLayerJob.fromConfig(cfg, args[2].equals("bounded")).execute(env);
      }
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
    long cpuMillis = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1_000_000;
    System.out.println(END_MARKER + " " + end + " " + gcMillis + " " + gcCount + " " + cpuMillis);
    System.out.flush();
    System.exit(0);
  }

  /** Writes {@code cfg} where this process can read it. */
  static Path writeConfig(TidemarkConfig cfg, Path dir) throws IOException {
    Path file = Files.createTempFile(dir, "bench-job-", ".properties");
    cfg.store(file, "speed bench job");
    return file;
  }
}
