package io.tidemark.cli;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.ServingOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark config}: every configuration key this process reads, with its environment
 * variable, default, effective value and description. Generated from the option declarations,
 * which is also how docs/configuration.md is written ({@code --markdown}).
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "List every configuration key with its env variable, default, effective value and meaning.")
final class ConfigCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--markdown", description = "Print the Markdown table of the CLI's and shared modules' keys (docs/configuration.md is generated this way; tidemark.serving.* are in docs/serving.md).")
  boolean markdown;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<ConfigOption<?>> options = GlobalOptions.knownOptions();
    if (markdown) {
      out.print(markdownTable(GlobalOptions.sharedOptions()));
      out.flush();
      return 0;
    }
    TidemarkConfig effective = global.resolved();
    ServingOptions.validate(effective); // the value rules serve applies at start, so config reports the same errors
    List<Map<String, String>> rows = new ArrayList<>();
    for (ConfigOption<?> o : options) {
      Map<String, String> row = new LinkedHashMap<>();
      row.put("key", o.key());
      row.put("env", o.envName());
      row.put("default", o.format(o.defaultValue()));
      row.put("value", o.format(effective.get(o)));
      row.put("description", o.description());
      rows.add(row);
    }
    if (json) {
      Output.json(out, rows);
    } else {
      List<List<String>> table = new ArrayList<>();
      rows.forEach(r -> table.add(List.of(r.get("key"), r.get("value"), r.get("env"))));
      Output.table(out, List.of("KEY", "VALUE", "ENV"), table);
      out.println();
      out.println("Descriptions and defaults: ./tidemark config --markdown (or docs/configuration.md).");
    }
    out.flush();
    return 0;
  }

  /** The Markdown table of options, as committed in docs/configuration.md. */
  static String markdownTable(List<ConfigOption<?>> options) {
    StringBuilder sb = new StringBuilder();
    sb.append("| Key | Environment variable | Default | Description |\n");
    sb.append("|---|---|---|---|\n");
    for (ConfigOption<?> o : options) {
      String def = o.hasDefault() ? "`" + o.format(o.defaultValue()) + "`" : "";
      sb.append("| `").append(o.key()).append("` | `").append(o.envName()).append("` | ")
          .append(def.equals("``") ? "(empty)" : def).append(" | ")
          .append(o.description().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }
}
