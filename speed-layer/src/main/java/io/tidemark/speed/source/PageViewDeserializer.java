package io.tidemark.speed.source;

import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.speed.SpeedMetrics;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Applies the shared event contract ({@link PageViewParser}) to every Kafka record: a valid event,
 * or a dead letter with the original bytes, the reason and the source topic/partition/offset.
 * Never throws on bad input, so the job never stops on it.
 */
public final class PageViewDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
  private static final long serialVersionUID = 1L;

  private transient Counter valid;
  private transient Map<io.tidemark.core.event.InvalidReason, Counter> invalidByReason;
  private transient Counter invalid;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    MetricGroup group = context.getMetricGroup().addGroup(SpeedMetrics.GROUP);
    valid = group.counter(SpeedMetrics.VALID_EVENTS);
    invalid = group.counter(SpeedMetrics.INVALID_EVENTS);
    invalidByReason = new EnumMap<>(io.tidemark.core.event.InvalidReason.class);
    for (io.tidemark.core.event.InvalidReason r : io.tidemark.core.event.InvalidReason.values()) {
      invalidByReason.put(
          r, group.addGroup(SpeedMetrics.REASON_LABEL, r.code()).counter(SpeedMetrics.INVALID_EVENTS));
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
    out.collect(toSourceRecord(record));
  }

  /** The validation step itself, for direct tests. */
  public SourceRecord toSourceRecord(ConsumerRecord<byte[], byte[]> record) {
    ParseResult result = PageViewParser.parse(record.value(), record.timestamp());
    if (result instanceof ParseResult.Valid v) {
      if (valid != null) {
        valid.inc();
      }
      return SourceRecord.valid(v.event());
    }
    ParseResult.Invalid bad = (ParseResult.Invalid) result;
    if (invalid != null) {
      invalid.inc();
      invalidByReason.get(bad.reason()).inc();
    }
    return SourceRecord.invalid(
        new DeadLetter(
            record.key(),
            record.value(),
            bad.reason().code(),
            bad.detail(),
            record.topic(),
            record.partition(),
            record.offset()));
  }

  @Override
  public TypeInformation<SourceRecord> getProducedType() {
    return TypeInformation.of(SourceRecord.class);
  }
}
