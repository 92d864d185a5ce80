package io.tidemark.generator;

/**
 * Turns a planned record into the bytes sent as its Kafka value: the plan's own JSON bytes by
 * default ({@link #JSON}), or another wire format such as {@link AvroValues}. An encoder never
 * changes what a record means (the same event, or the same broken rule), so the {@link
 * GroundTruth} of the plan holds whatever the format.
 */
@FunctionalInterface
public interface ValueEncoder {
  /** The plan's JSON bytes as they are. */
  ValueEncoder JSON = (record, index) -> record.value();

  /**
   * @param record the planned record
   * @param index its position in the plan, from 0
   */
  byte[] encode(GeneratedRecord record, long index);
}
