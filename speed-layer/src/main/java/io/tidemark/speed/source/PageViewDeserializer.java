package io.tidemark.speed.source;

import io.tidemark.core.event.InvalidReason;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.event.RegistrySettings;
import io.tidemark.core.event.WriterSchemas;
import io.tidemark.speed.SpeedMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the shared event contract ({@link PageViewParser}: JSON, or Avro in the Confluent wire
 * format with writer schemas from the registry) to every Kafka record: a valid event, or a dead
 * letter with the original bytes, the reason and the source topic/partition/offset. Never throws
 * on bad input, so the job never stops on it.
 *
 * <p>While the registry cannot answer a lookup of a schema id not cached yet, {@link #deserialize}
 * waits and retries (core's {@link WriterSchemas}): the source stops emitting, which is
 * backpressure, visible as the gauge {@link SpeedMetrics#REGISTRY_WAITING} and the counter {@link
 * SpeedMetrics#REGISTRY_RETRIES}, and no valid event is dead-lettered because of the outage.
 */
public final class PageViewDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PageViewDeserializer.class);

  private final RegistrySettings registry;
  private transient WriterSchemas schemas;
  private transient Counter valid;
  private transient Map<InvalidReason, Counter> invalidByReason;
  private transient Counter invalid;

  /** A deserializer for JSON only: Avro records are {@code unknown-schema} (no registry). */
  public PageViewDeserializer() {
    this(null);
  }

  /** @param registry where writer schemas come from, or null for none */
  public PageViewDeserializer(RegistrySettings registry) {
    this.registry = registry;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    MetricGroup group = context.getMetricGroup().addGroup(SpeedMetrics.GROUP);
    valid = group.counter(SpeedMetrics.VALID_EVENTS);
    invalid = group.counter(SpeedMetrics.INVALID_EVENTS);
    invalidByReason = new EnumMap<>(InvalidReason.class);
    for (InvalidReason r : InvalidReason.values()) {
      invalidByReason.put(
          r, group.addGroup(SpeedMetrics.REASON_LABEL, r.code()).counter(SpeedMetrics.INVALID_EVENTS));
    }
    schemas = openSchemas(registry, group);
  }

  /** The writer schemas with the registry metrics registered on {@code group} (null when no registry). */
  static WriterSchemas openSchemas(RegistrySettings registry, MetricGroup group) {
    if (registry == null) {
      return null;
    }
    AtomicInteger waiting = new AtomicInteger();
    Counter retries = group.counter(SpeedMetrics.REGISTRY_RETRIES);
    Counter lookups = group.counter(SpeedMetrics.REGISTRY_LOOKUPS);
    group.gauge(SpeedMetrics.REGISTRY_WAITING, (Gauge<Integer>) waiting::get);
    return registry.open(new WriterSchemas.Listener() {
      @Override
      public void waiting(int id, int attempt, Duration backoff, String cause) {
        waiting.set(1);
        retries.inc();
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("Waiting for the schema registry ({} lookups of schema id {} failed, next in {} ms): {}",
              attempt, id, backoff.toMillis(), cause);
        }
      }

      @Override
      public void recovered(int id, Duration waited) {
        waiting.set(0);
        LOG.info("Schema registry answered for schema id {} after {} ms of waiting", id, waited.toMillis());
      }

      @Override
      public void lookedUp(int id) {
        lookups.inc();
      }
    });
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
    out.collect(toSourceRecord(record));
  }

  /** The validation step itself, for direct tests. */
  public SourceRecord toSourceRecord(ConsumerRecord<byte[], byte[]> record) {
    ParseResult result = PageViewParser.parse(record.value(), record.timestamp(), schemas, null);
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
