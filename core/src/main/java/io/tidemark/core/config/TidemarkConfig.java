package io.tidemark.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolved configuration of one Tidemark process.
 *
 * <p>Sources, lowest precedence first: the option's default, a properties file ({@code --config},
 * else {@code TIDEMARK_CONFIG}, else {@code tidemark.properties} in the project home when present),
 * environment variables ({@code TIDEMARK_*}), and explicit overrides (command line {@code -D}).
 * Only keys starting with {@code tidemark.} are considered; {@link #validate(Collection)} rejects
 * those that no component declares, so a typo fails at start-up instead of being ignored. A
 * process validates the components whose options it knows; keys of components that another
 * process owns (listed in {@link ConfigComponents}) are left to that process.
 *
 * <p>Immutable and thread-safe; serializable as plain properties so that child JVMs (Flink and
 * Spark jobs) receive exactly the configuration of the process that started them.
 */
public final class TidemarkConfig implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final String PREFIX = "tidemark.";

  private final Map<String, String> values;

  private TidemarkConfig(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** A configuration holding only the given values (defaults apply to everything else). */
  public static TidemarkConfig of(Map<String, String> values) {
    return new TidemarkConfig(values);
  }

  /**
   * Loads configuration from the usual sources.
   *
   * @param configFile an explicit properties file, or {@code null}
   * @param env the process environment (pass {@code System.getenv()})
   * @param overrides explicit key/value overrides, highest precedence
   * @param knownOptions every declared option, used to map environment variables back to keys
   */
  public static TidemarkConfig load(
      Path configFile,
      Map<String, String> env,
      Map<String, String> overrides,
      Collection<ConfigOption<?>> knownOptions) {
    Map<String, String> merged = new TreeMap<>();
    Path file = configFile;
    if (file == null && env.get("TIDEMARK_CONFIG") != null && !env.get("TIDEMARK_CONFIG").isBlank()) {
      file = Path.of(env.get("TIDEMARK_CONFIG"));
    }
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("Config file " + file + " does not exist (set by --config or TIDEMARK_CONFIG)");
      }
      merged.putAll(readProperties(file));
    }
    for (ConfigOption<?> option : knownOptions) {
      String v = env.get(option.envName());
      if (v != null) {
        merged.put(option.key(), v);
      }
    }
    merged.putAll(overrides);
    merged.keySet().removeIf(k -> !k.startsWith(PREFIX));
    return new TidemarkConfig(merged);
  }

  private static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read config file " + file, e);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k.trim(), p.getProperty(k).trim()));
    return m;
  }

  /**
   * Fails on keys that no declared option knows, naming the closest declared key.
   *
   * @throws ConfigException on the first unknown key
   */
  public TidemarkConfig validate(Collection<ConfigOption<?>> knownOptions) {
    TreeSet<String> known = new TreeSet<>();
    TreeSet<String> covered = new TreeSet<>();
    knownOptions.forEach(o -> {
      known.add(o.key());
      covered.add(componentOf(o.key()));
    });
    for (String key : values.keySet()) {
      String component = componentOf(key);
      if (!covered.contains(component) && ConfigComponents.ALL.contains(component)) {
        continue; // another process (Flink job, Spark job, Connect worker) owns and validates it
      }
      if (!ConfigComponents.ALL.contains(component)) {
        throw new ConfigException("Unknown configuration key " + key + " (no component '"
            + component + "'; known components: " + String.join(", ", ConfigComponents.ALL) + ")");
      }
      if (!known.contains(key)) {
        String hint = closest(key, known);
        throw new ConfigException(
            "Unknown configuration key " + key + (hint == null ? "" : " (did you mean " + hint + "?)"));
      }
    }
    for (ConfigOption<?> o : knownOptions) {
      if (values.containsKey(o.key())) {
        o.parse(values.get(o.key()));
      }
    }
    return this;
  }

  /** The value of an option: the configured one, else its default (may be {@code null}). */
  public <T> T get(ConfigOption<T> option) {
    String raw = values.get(option.key());
    if (raw == null || raw.isEmpty()) {
      return option.defaultValue();
    }
    return option.parse(raw);
  }

  /**
   * The value of an option that must be present.
   *
   * @throws ConfigException naming the key and its environment variable when unset
   */
  public <T> T require(ConfigOption<T> option) {
    T v = get(option);
    if (v == null) {
      throw new ConfigException(
          "Property " + option.key() + " is required but not provided (set it or " + option.envName() + ")");
    }
    return v;
  }

  /** Whether the option was given explicitly (not just defaulted). */
  public boolean isSet(ConfigOption<?> option) {
    String raw = values.get(option.key());
    return raw != null && !raw.isEmpty();
  }

  /** A copy with one more explicit value. */
  public <T> TidemarkConfig with(ConfigOption<T> option, T value) {
    Map<String, String> m = new TreeMap<>(values);
    m.put(option.key(), option.format(value).equals("***") ? String.valueOf(value) : option.format(value));
    return new TidemarkConfig(m);
  }

  /** The explicitly set values, e.g. to pass to a child JVM as {@code -D} or a properties file. */
  public Map<String, String> explicitValues() {
    return values;
  }

  /**
   * Writes the explicit values to {@code file} (created, or replaced keeping its permissions) as a
   * properties file that {@link #load} reads back: how a parent process hands its resolved
   * configuration to a child JVM.
   */
  public void store(Path file, String comment) throws IOException {
    Properties p = new Properties();
    p.putAll(values);
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      p.store(out, comment);
    }
  }

  private static String componentOf(String key) {
    String[] parts = key.split("\\.");
    return parts.length > 1 ? parts[1] : "";
  }

  private static String closest(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = levenshtein(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(3, key.length() / 4) ? best : null;
  }

  private static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
