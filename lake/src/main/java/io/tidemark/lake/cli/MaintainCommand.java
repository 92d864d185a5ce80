package io.tidemark.lake.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.table.ArchiveMaintenance;
import io.tidemark.lake.table.LakeCatalog;
import java.util.concurrent.Callable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lake maintain}. */
@Command(
    name = "maintain",
    mixinStandardHelpOptions = true,
    description = {
      "Compact small data files and expire old snapshots.",
      "Compacts per event day; expires snapshots older than tidemark.lake.snapshot-retention",
      "(keeping tidemark.lake.min-snapshots-to-keep).",
      "Never changes a row; safe while the archive writes; idempotent."
    })
public final class MaintainCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TidemarkConfig cfg = parent.config();
    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      ArchiveMaintenance.Result r = new ArchiveMaintenance(LakeClients.loadTable(catalog, cfg),
          cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE), cfg.get(LakeArchiveOptions.SNAPSHOT_RETENTION),
          cfg.get(LakeArchiveOptions.MIN_SNAPSHOTS_TO_KEEP)).run();
      if (json) {
        System.out.println(JsonOutput.render(r));
      } else {
        System.out.printf("Compacted %d partitions: %d files (%d rows) into %d files (%d rows)%n",
            r.partitionsCompacted(), r.filesCompactedIn(), r.rowsCompactedIn(), r.filesCompactedOut(), r.rowsCompactedOut());
        System.out.printf("Table: data files %d -> %d, rows %d -> %d (appends while maintaining included); snapshots %d -> %d%n",
            r.filesBefore(), r.filesAfter(), r.rowsBefore(), r.rowsAfter(), r.snapshotsBefore(), r.snapshotsAfter());
      }
      return 0;
    }
  }
}
