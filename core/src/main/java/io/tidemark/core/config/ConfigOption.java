package io.tidemark.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key of Tidemark, declared once with its type, default and description.
 *
 * <p>Options are declared as constants in one {@code *Options} class per component (for example
 * {@link KafkaOptions}); {@code --help}, the documentation table and validation of unknown keys
 * are generated from those declarations, so a key can never be documented differently from how
 * it is read. Every key maps to an environment variable: upper case, with dots and dashes turned
 * into underscores ({@code tidemark.kafka.bootstrap} is {@code TIDEMARK_KAFKA_BOOTSTRAP}).
 *
 * <pre>{@code
 * public static final ConfigOption<Duration> ALLOWED_LATENESS =
 *     ConfigOption.durationKey("tidemark.speed.allowed-lateness")
 *         .defaultValue(Duration.ofMinutes(2))
 *         .description("How long after a window closes late events still update its count.");
 * }</pre>
 *
 * @param <T> the value type
 */
public final class ConfigOption<T> {
  private final String key;
  private final Class<T> type;
  private final T defaultValue;
  private final String description;
  private final boolean secret;
  private final Function<String, T> parser;

  private ConfigOption(
      String key,
      Class<T> type,
      T defaultValue,
      String description,
      boolean secret,
      Function<String, T> parser) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
    this.secret = secret;
    this.parser = parser;
  }

  public static Builder<String> stringKey(String key) {
    return new Builder<>(key, String.class, s -> s);
  }

  public static Builder<Integer> intKey(String key) {
    return new Builder<>(key, Integer.class, s -> Integer.valueOf(s.trim()));
  }

  public static Builder<Long> longKey(String key) {
    return new Builder<>(key, Long.class, s -> Long.valueOf(s.trim()));
  }

  public static Builder<Double> doubleKey(String key) {
    return new Builder<>(key, Double.class, s -> Double.valueOf(s.trim()));
  }

  public static Builder<Boolean> booleanKey(String key) {
    return new Builder<>(key, Boolean.class, ConfigOption::parseBoolean);
  }

  public static Builder<Duration> durationKey(String key) {
    return new Builder<>(key, Duration.class, Durations::parse);
  }

  public String key() {
    return key;
  }

  public Class<T> type() {
    return type;
  }

  /** The default, or {@code null} when the option has none (an unset endpoint, say). */
  public T defaultValue() {
    return defaultValue;
  }

  public boolean hasDefault() {
    return defaultValue != null;
  }

  public String description() {
    return description;
  }

  /** Secret values are never printed: not in {@code --help}, not in logs, not in status. */
  public boolean isSecret() {
    return secret;
  }

  /** The environment variable that sets this option. */
  public String envName() {
    return envNameOf(key);
  }

  /** The environment variable of any {@code tidemark.*} key: upper case, dots and dashes as underscores. */
  public static String envNameOf(String key) {
    return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Parses a raw value.
   *
   * @throws ConfigException naming the key and the expected type when the value does not parse
   */
  public T parse(String raw) {
    try {
      return parser.apply(raw);
    } catch (RuntimeException e) {
      throw new ConfigException(
          String.format(
              "Invalid value '%s' for %s (%s): expected %s",
              secret ? "***" : raw, key, envName(), typeHint()));
    }
  }

  /** Renders a value the way it would be written in a properties file. */
  public String format(Object value) {
    if (value == null) {
      return "";
    }
    if (secret) {
      return "***";
    }
    return value instanceof Duration d ? Durations.format(d) : value.toString();
  }

  private String typeHint() {
    if (type == Duration.class) {
      return "a duration such as 500ms, 10s, 5m, 2h or 1d";
    }
    if (type == Boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == Long.class) {
      return "a whole number";
    }
    if (type == Double.class) {
      return "a number";
    }
    return "a string";
  }

  private static Boolean parseBoolean(String s) {
    String v = s.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true")) {
      return Boolean.TRUE;
    }
    if (v.equals("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException(s);
  }

  @Override
  public String toString() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigOption<?> other && other.key.equals(key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key);
  }

  /** Fluent declaration of an option; {@link #description(String)} completes it. */
  public static final class Builder<T> {
    private final String key;
    private final Class<T> type;
    private final Function<String, T> parser;
    private T defaultValue;
    private boolean secret;

    private Builder(String key, Class<T> type, Function<String, T> parser) {
      if (!key.matches("tidemark(\\.[a-z0-9]+(-[a-z0-9]+)*)+")) {
        throw new IllegalArgumentException(
            "Option key " + key + " must look like tidemark.<component>.<name-with-dashes>");
      }
      this.key = key;
      this.type = type;
      this.parser = parser;
    }

    public Builder<T> defaultValue(T value) {
      this.defaultValue = value;
      return this;
    }

    public Builder<T> secret() {
      this.secret = true;
      return this;
    }

    public ConfigOption<T> description(String description) {
      return new ConfigOption<>(key, type, defaultValue, description, secret, parser);
    }
  }
}
