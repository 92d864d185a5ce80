package io.tidemark.lake.cli;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.check.ArchiveVerifier;
import java.util.concurrent.Callable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lake verify}: exit code 1 when the archive is not clean. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check the archive's integrity; exit code 1 when not clean.",
      "No data file added by more than one snapshot, no Kafka offset archived twice, no record",
      "of the topic skipped (gaps and duplicates are listed).",
      "Exit code 0 when clean, 1 when not."
    })
public final class VerifyCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TidemarkConfig cfg = parent.config();
    try (JdbcCatalog catalog = io.tidemark.lake.table.LakeCatalog.open(cfg);
        KafkaConsumer<byte[], byte[]> consumer = LakeClients.consumer(cfg)) {
      ArchiveVerifier.Report r = new ArchiveVerifier(LakeClients.loadTable(catalog, cfg), consumer, cfg.get(KafkaOptions.EVENTS_TOPIC)).verify();
      if (json) {
        System.out.println(JsonOutput.render(r));
      } else {
        System.out.printf("Table %s: %d snapshots, %d rows (%d from Kafka)%n", r.table(), r.snapshots(), r.rows(), r.kafkaRows());
        r.partitions().forEach((p, a) -> System.out.printf("  partition %d: %d rows, offsets %d..%d, %d duplicate rows, %d holes%n",
            p, a.count(), a.min(), a.max(), a.duplicateRows(), a.holes().size()));
        if (r.clean()) {
          System.out.println("Clean: every data file added once, every archived offset once, no record skipped.");
        } else {
          r.findings().forEach(f -> System.out.println("  " + f.kind() + ": " + f.message()));
          System.out.println("NOT CLEAN: " + r.findings().size() + " problem(s).");
        }
      }
      return r.clean() ? 0 : 1;
    }
  }
}
