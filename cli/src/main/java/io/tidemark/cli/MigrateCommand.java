package io.tidemark.cli;

import io.tidemark.schema.MigrationReport;
import io.tidemark.schema.Migrations;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./tidemark migrate}: Kafka topics and the ClickHouse schema, versioned and idempotent. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Create the Kafka topics and apply pending ClickHouse schema migrations.",
        "Idempotent: a second run changes nothing. Refuses to run when an applied migration was edited."})
final class MigrateCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    MigrationReport report = Migrations.run(global.resolved());
    out.println(json ? report.toJson() : report.toText());
    out.flush();
    return 0;
  }
}
