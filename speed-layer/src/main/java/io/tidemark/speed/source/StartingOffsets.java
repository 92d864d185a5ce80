package io.tidemark.speed.source;

import io.tidemark.core.config.ConfigException;
import io.tidemark.speed.SpeedOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Parses {@code tidemark.speed.starting-offsets}: where a job without a checkpoint starts reading.
 * A job restored from a checkpoint always continues from the checkpointed offsets.
 */
public final class StartingOffsets {
  private StartingOffsets() {}

  /**
   * {@code committed} (the consumer group's offsets, earliest where none), {@code earliest},
   * {@code latest} or {@code timestamp:<epoch-ms>}.
   *
   * @throws ConfigException naming the key when the value is none of these
   */
  @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
  public static OffsetsInitializer parse(String value) {
    String v = value.trim();
    switch (v) {
      case "committed":
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case "earliest":
        return OffsetsInitializer.earliest();
      case "latest":
        return OffsetsInitializer.latest();
      default:
        if (v.startsWith("timestamp:")) {
          try {
            long ms = Long.parseLong(v.substring("timestamp:".length()).trim());
            if (ms >= 0) {
              return OffsetsInitializer.timestamp(ms);
            }
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
        }
        throw new ConfigException(
            "Invalid value '" + value + "' for " + SpeedOptions.STARTING_OFFSETS.key()
                + ": expected committed, earliest, latest or timestamp:<epoch-ms>");
    }
  }
}
