package io.tidemark.cli;

import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.core.registry.SchemaRegistryException;
import io.tidemark.schema.registry.CandidateCheck;
import io.tidemark.schema.registry.ReaderSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark schema check|list}: the events topic's Avro schemas in the schema registry,
 * through its Confluent API ({@code tidemark.schema-registry.url}).
 */
@Command(
    name = "schema",
    description = "Avro schemas in the schema registry: check a candidate before a deploy, list subjects and versions.",
    mixinStandardHelpOptions = true,
    subcommands = {SchemaCommand.Check.class, SchemaCommand.ListSubjects.class})
final class SchemaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static SchemaRegistryClient client(TidemarkConfig resolved) {
    return SchemaRegistryClient.fromConfig(resolved);
  }

  static UserFacingException unreachable(SchemaRegistryException e) {
    return new UserFacingException(e.getMessage() + " (check " + SchemaRegistryOptions.URL.key() + " / "
        + SchemaRegistryOptions.URL.envName() + ", or run ./tidemark stack up)");
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Tell whether a candidate producer schema may be deployed: the registry accepts it as the subject's"
              + " next version under its compatibility level, and Tidemark's reader schema can read its records.",
          "Registers nothing. Exit code 0 when compatible, 1 when not (the reason in one line), 2 for a bad file."})
  static final class Check implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.avsc", description = "The candidate Avro schema (JSON).")
    Path file;

    @Option(names = "--json", description = "Print the verdict as JSON.")
    boolean json;

    @Override
    public Integer call() {
      Schema candidate = parse(file);
      TidemarkConfig cfg = global.resolved();
      String subject = cfg.get(SchemaRegistryOptions.SUBJECT);
      CandidateCheck.Result r = new CandidateCheck(client(cfg), subject, ReaderSchema.latest().parsed()).check(candidate);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("subject", r.subject());
        m.put("registry", cfg.get(SchemaRegistryOptions.URL));
        m.put("compatibility", r.level());
        m.put("latestVersion", r.latestVersion());
        m.put("compatible", r.compatible());
        m.put("registryCompatible", r.registryCompatible());
        m.put("readerCompatible", r.readerCompatible());
        m.put("reason", r.reason());
        Output.json(out, m);
      } else {
        out.println((r.compatible() ? "compatible: " : "incompatible: ") + r.reason());
        out.flush();
      }
      return r.compatible() ? 0 : 1;
    }

    /** The candidate, or a one-line usage error naming the file. */
    static Schema parse(Path file) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new UserFacingException("Schema file " + file + " does not exist");
      } catch (IOException e) {
        throw new UserFacingException("Cannot read schema file " + file + ": " + e.getMessage());
      }
      try {
        return new Schema.Parser().parse(text);
      } catch (SchemaParseException e) {
        throw new UserFacingException("Schema file " + file + " is not a valid Avro schema: " + firstLine(e.getMessage()));
      } catch (RuntimeException e) {
        throw new UserFacingException("Schema file " + file + " is not a valid Avro schema: " + firstLine(String.valueOf(e.getMessage())));
      }
    }

    private static String firstLine(String s) {
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Show every subject of the registry with its compatibility level, versions and schema ids.")
  static final class ListSubjects implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      TidemarkConfig cfg = global.resolved();
      SchemaRegistryClient registry = client(cfg);
      List<Map<String, Object>> subjects = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      try {
        for (String subject : registry.subjects().stream().sorted().toList()) {
          String level = registry.compatibilityLevel(subject);
          List<Map<String, Object>> versions = new ArrayList<>();
          for (int v : registry.versions(subject)) {
            int id = registry.version(subject, v).id();
            versions.add(Map.of("version", v, "id", id));
            rows.add(List.of(subject, Integer.toString(v), Integer.toString(id), level));
          }
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("subject", subject);
          s.put("compatibility", level);
          s.put("versions", versions);
          subjects.add(s);
        }
      } catch (SchemaRegistryException e) {
        if (e.isRetryable()) {
          throw unreachable(e);
        }
        throw new UserFacingException(e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registry", registry.url());
        m.put("subjects", subjects);
        Output.json(out, m);
      } else {
        out.println("Schema registry " + registry.url());
        if (rows.isEmpty()) {
          out.println("No subjects yet: run ./tidemark migrate to register Tidemark's reader schema.");
        } else {
          Output.table(out, List.of("SUBJECT", "VERSION", "ID", "COMPATIBILITY"), rows);
        }
        out.flush();
      }
      return 0;
    }
  }
}
