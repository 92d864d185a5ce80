package io.tidemark.speed.source;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record that broke the event contract, on its way to the dead-letter topic with its original
 * bytes and where it came from, so that it can be found, fixed and replayed.
 *
 * @param key the original Kafka key (may be {@code null})
 * @param value the original Kafka value, byte for byte (may be {@code null})
 * @param reason the stable reason code ({@link io.tidemark.core.event.InvalidReason#code()})
 * @param detail a human-readable explanation naming the field
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset: with topic and partition, identifies the record (also across
 *     redeliveries after a restore)
 */
public record DeadLetter(
    byte[] key, byte[] value, String reason, String detail, String topic, int partition, long offset) {

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter d
        && Arrays.equals(key, d.key)
        && Arrays.equals(value, d.value)
        && reason.equals(d.reason)
        && detail.equals(d.detail)
        && topic.equals(d.topic)
        && partition == d.partition
        && offset == d.offset;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(value), reason, topic, partition, offset);
  }

  @Override
  public String toString() {
    return "DeadLetter[" + topic + "-" + partition + "@" + offset + " " + reason + ": " + detail + "]";
  }
}
