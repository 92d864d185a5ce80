package io.tidemark.core.cli;

import io.tidemark.core.config.ConfigOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --help} footer listing the configuration keys a command reads, built from their
 * declarations so that help, defaults and docs cannot disagree. Commands whose settings are not
 * command-line options (the service endpoints, the lake's commit interval, the reconcile
 * threshold) otherwise leave a user guessing which keys exist.
 */
public final class SettingsHelp {
  private SettingsHelp() {}

  /**
   * Lines for picocli's {@code usageMessage().footer(...)}: a heading, then per key its name,
   * environment variable and default, and its description indented below.
   */
  public static String[] footer(List<ConfigOption<?>> options) {
    List<String> lines = new ArrayList<>(List.of("",
        "Settings (the environment variables shown, or these keys in a properties file named by TIDEMARK_CONFIG):"));
    for (ConfigOption<?> o : options) {
      Object d = o.defaultValue();
      lines.add("  " + o.key() + " (" + o.envName() + (d == null ? "" : ", default " + o.format(d)) + ")");
      lines.add("      " + o.description().replace("%", "%%"));
    }
    return lines.toArray(String[]::new);
  }

  /** {@link #footer} followed by the footer lines the command already has (e.g. exit codes). */
  public static String[] prepend(List<ConfigOption<?>> options, String[] existing) {
    List<String> lines = new ArrayList<>(List.of(footer(options)));
    lines.addAll(List.of(existing));
    return lines.toArray(String[]::new);
  }
}
