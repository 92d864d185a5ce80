package io.tidemark.cli;

import io.tidemark.schema.MigrationReport;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.registry.RegistryUnavailableException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark migrate}: Kafka topics, the ClickHouse schema and the schema registry's events
 * subject, versioned and idempotent.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Create the Kafka topics, apply pending ClickHouse schema migrations, register Tidemark's reader schema"
            + " under the events subject and set its compatibility level (tidemark.schema-registry.*).",
        "Idempotent: a second run changes nothing. Refuses to run when an applied migration was edited."})
final class MigrateCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--skip-registry",
      description = "Leave the schema registry alone (a deployment whose producers all write JSON and that runs no registry).")
  boolean skipRegistry;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    MigrationReport report;
    try {
      report = skipRegistry ? Migrations.run(global.resolved()) : Migrations.runAll(global.resolved());
    } catch (RegistryUnavailableException e) {
      throw new UserFacingException(e.getMessage() + "; ClickHouse and Kafka are migrated (pass --skip-registry if you run no registry)");
    }
    out.println(json ? report.toJson() : report.toText());
    out.flush();
    return 0;
  }
}
