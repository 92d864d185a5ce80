package io.tidemark.speed.sink;

import io.tidemark.speed.source.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a {@link DeadLetter} to the dead-letter topic: the original key and value byte for byte,
 * and headers naming the reason and the source record ({@link Headers}).
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;

  /** Header names on dead-letter and late records; values are UTF-8 text. */
  public static final class Headers {
    private Headers() {}

    /** Reason code ({@link io.tidemark.core.event.InvalidReason#code()}, or {@code too-late}). */
    public static final String REASON = "tidemark.reason";
    /** Human-readable detail. */
    public static final String DETAIL = "tidemark.detail";
    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = "tidemark.source.topic";
    /** Partition the record was read from (decimal). */
    public static final String SOURCE_PARTITION = "tidemark.source.partition";
    /** Offset of the record in its source partition (decimal). */
    public static final String SOURCE_OFFSET = "tidemark.source.offset";
  }

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter d, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.REASON, utf8(d.reason()));
    headers.add(Headers.DETAIL, utf8(d.detail()));
    headers.add(Headers.SOURCE_TOPIC, utf8(d.topic()));
    headers.add(Headers.SOURCE_PARTITION, utf8(Integer.toString(d.partition())));
    headers.add(Headers.SOURCE_OFFSET, utf8(Long.toString(d.offset())));
    return new ProducerRecord<>(topic, null, null, d.key(), d.value(), headers);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
