package io.tidemark.lake.cli;

import io.tidemark.core.cli.ExitCodes;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.Durations;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.check.ArchiveCatchUp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lake await}: the nightly's gate before the batch recompute (see {@link ArchiveCatchUp}). */
@Command(
    name = "await",
    mixinStandardHelpOptions = true,
    description = "Wait until the archive holds every record the events topic held when the command started;"
        + " tidemark_nightly runs it before the batch, so a lagging archive cannot make the recompute undercount.",
    footer = "%nExit codes: 0 caught up; 1 still behind after --timeout (a retry may help: is the archive running?"
        + " see ./tidemark lake status); 2 bad usage or configuration.")
public final class AwaitCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Option(names = "--timeout", defaultValue = "30m", description = "Longest wait, e.g. 90s, 30m (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--poll", defaultValue = "5s", description = "Time between checks of the table (default ${DEFAULT-VALUE}).")
  String poll;

  @Option(names = "--json", description = "Print the outcome as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Duration max = duration("--timeout", timeout);
    Duration every = duration("--poll", poll);
    TidemarkConfig cfg = parent.config();
    String topic = cfg.get(KafkaOptions.EVENTS_TOPIC);
    try (JdbcCatalog catalog = io.tidemark.lake.table.LakeCatalog.open(cfg);
        // read_committed: what the archive's sink reads
        KafkaConsumer<byte[], byte[]> consumer = LakeClients.consumer(cfg, "read_committed")) {
      ArchiveCatchUp.Result r;
      try {
        r = ArchiveCatchUp.await(LakeClients.loadTable(catalog, cfg), consumer, topic, max, every, System::nanoTime);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage() + ": check " + KafkaOptions.EVENTS_TOPIC.key() + ", or run ./tidemark migrate");
      }
      String behind = r.behind().stream()
          .map(b -> "partition " + b.partition() + " (record at offset " + b.targetOffset() + " not archived)")
          .collect(Collectors.joining(", "));
      if (json) {
        System.out.println(JsonOutput.render(Map.of(
            "topic", topic, "caught_up", r.caughtUp(), "targets", r.targets(),
            "behind", r.behind(), "waited_seconds", r.waited().toMillis() / 1000.0)));
      } else if (r.caughtUp()) {
        System.out.printf("archive caught up with %s: %d partitions with records, waited %.1f s%n",
            topic, r.targets().size(), r.waited().toMillis() / 1000.0);
      }
      if (!r.caughtUp()) {
        System.err.printf("lake await: the archive is still behind %s after %s: %s (is the archive running? see ./tidemark lake status)%n",
            topic, Durations.format(max), behind);
        return ExitCodes.FAILED;
      }
      return ExitCodes.OK;
    }
  }

  private static Duration duration(String option, String text) {
    try {
      Duration d = Durations.parse(text);
      if (d.isNegative() || d.isZero() && option.equals("--poll")) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (RuntimeException e) {
      throw new ConfigException("Invalid " + option + " '" + text + "': use a duration such as 90s or 30m");
    }
  }
}
