package io.tidemark.lake.cli;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.check.ArchiveStatus;
import java.util.concurrent.Callable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lake status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the archive table, its snapshots, rows per event day and the archive lag per partition.")
public final class StatusCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Option(names = "--json", description = "Print the status as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TidemarkConfig cfg = parent.config();
    try (JdbcCatalog catalog = io.tidemark.lake.table.LakeCatalog.open(cfg);
        KafkaConsumer<byte[], byte[]> consumer = LakeClients.consumer(cfg)) {
      ArchiveStatus.Status s = ArchiveStatus.of(LakeClients.loadTable(catalog, cfg), consumer, cfg.get(KafkaOptions.EVENTS_TOPIC));
      if (json) {
        System.out.println(JsonOutput.render(s));
        return 0;
      }
      System.out.printf("Table      %s%nLocation   %s%nSnapshots  %d%n", s.table(), s.location(), s.snapshots());
      if (s.current() != null) {
        System.out.printf("Current    %d (%s at %s, +%s rows in %s files; %ds ago)%n",
            s.current().id(), s.current().operation(), s.current().committedAt(), s.current().addedRecords(),
            s.current().addedFiles(), s.sinceLastCommit().toSeconds());
      }
      System.out.println("Newest snapshots:");
      s.recent().forEach(r -> System.out.printf("  %-20d %-8s %s  +%s rows in %s files%n", r.id(), r.operation(), r.committedAt(), r.addedRecords(), r.addedFiles()));
      System.out.printf("Rows       %d in %d data files%n", s.rows(), s.dataFiles());
      System.out.println("Rows per event day (UTC; null = no usable timestamp):");
      s.rowsPerDay().forEach((d, n) -> System.out.printf("  %-10s %12d%n", d, n));
      System.out.println("Archive lag (newest offset in Kafka vs newest archived):");
      System.out.printf("  %-9s %14s %16s %10s%n", "partition", "end offset", "newest archived", "lag");
      s.lag().forEach(l -> System.out.printf("  %-9d %14d %16d %10d%n", l.partition(), l.endOffset(), l.newestArchived(), l.lag()));
      System.out.printf("  total lag %d records%n", s.totalLag());
      return 0;
    }
  }
}
