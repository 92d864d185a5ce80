package io.tidemark.lake.cli;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.table.ArchiveImporter;
import io.tidemark.lake.table.LakeCatalog;
import io.tidemark.lake.table.PageViewTable;
import io.tidemark.core.config.LakeOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.iceberg.Table;
import org.apache.iceberg.jdbc.JdbcCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lake import FILE...}. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Load historical events (JSON Lines, CSV with a header, or Parquet) into the archive table.",
      "Idempotent: a file whose content was imported before is skipped. Lines that break the",
      "event contract are kept as invalid rows and listed; they never stop the import."
    })
public final class ImportCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to import (.jsonl, .ndjson, .json, .csv, .parquet).")
  List<Path> files;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--no-progress", description = "Do not show a progress bar.")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    for (Path f : files) { // every file checked before the catalog is opened or anything is written
      String why = ArchiveImporter.unimportable(f);
      if (why != null) {
        throw new UnusableInputException("Cannot import " + f + ": " + why);
      }
    }
    TidemarkConfig cfg = parent.config();
    List<ArchiveImporter.FileResult> results = new ArrayList<>();
    try (JdbcCatalog catalog = LakeCatalog.open(cfg)) {
      Table table = PageViewTable.createIfMissing(catalog,
          PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE)),
          cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE));
      ArchiveImporter importer = new ArchiveImporter(table, cfg.get(LakeArchiveOptions.TARGET_FILE_SIZE));
      for (Path f : files) {
        results.add(importer.importFile(f, noProgress || json ? null : new Bar()));
      }
    }
    if (json) {
      System.out.println(JsonOutput.render(results));
      return 0;
    }
    for (ArchiveImporter.FileResult r : results) {
      if (r.alreadyImported()) {
        System.out.printf("%s: already imported (sha256 %s), nothing added%n", r.file(), r.sha256().substring(0, 16));
        continue;
      }
      System.out.printf("%s: %d rows added (%d valid, %d rejected by the event contract, kept as invalid rows), %d blank lines skipped%n",
          r.file(), r.rows(), r.valid(), r.invalid(), r.blankLines());
      r.rejected().forEach(x -> System.out.printf("  line %d: %s: %s%n", x.line(), x.reason(), x.detail()));
      if (r.invalid() > r.rejected().size()) {
        System.out.printf("  ... and %d more rejected lines%n", r.invalid() - r.rejected().size());
      }
    }
    return 0;
  }

  private static final class Bar implements ArchiveImporter.Progress {
    private ProgressBar bar;

    @Override
    public void start(String file, long lines) {
      bar = new ProgressBarBuilder().setTaskName(file).setInitialMax(lines).setUnit(" lines", 1)
          .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
    }

    @Override
    public void step(long linesDone) {
      bar.stepTo(linesDone);
    }

    @Override
    public void done() {
      bar.close();
    }
  }
}
