package io.tidemark.cli;

import io.tidemark.core.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Accepts durations as operators write them: 500ms, 60s, 5m, 2h, 1d. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration: use a number and a unit, e.g. 500ms, 60s, 5m, 2h");
    }
  }
}
