package io.tidemark.speed.sink;

import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewJson;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes an event that arrived after the allowed lateness to the late topic in the seed JSON format
 * (key user_id, header {@code tidemark.reason: too-late}); the lake keeps the original record and
 * the nightly recompute counts it.
 */
public final class LateEventSerializer implements KafkaRecordSerializationSchema<PageViewEvent> {
  private static final long serialVersionUID = 1L;

  /** Reason code in the {@code tidemark.reason} header of late records. */
  public static final String TOO_LATE = "too-late";

  private final String topic;

  public LateEventSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      PageViewEvent e, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterSerializer.Headers.REASON, DeadLetterSerializer.utf8(TOO_LATE));
    return new ProducerRecord<>(
        topic, null, null, DeadLetterSerializer.utf8(e.userId()), PageViewJson.toBytes(e), headers);
  }
}
