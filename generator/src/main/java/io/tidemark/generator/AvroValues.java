package io.tidemark.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Encodes generated records as Avro in the Confluent wire format (magic byte 0, schema id,
 * Avro binary), the way a confluent-kafka producer with {@code AvroSerializer} writes them.
 *
 * <p>Valid events (and their redeliveries, which stay byte-identical: the bytes depend only on the
 * event and the schema in force) are written with the writer schema in force at their index; a
 * writer schema with an optional {@code referrer} field gets a value derived from the event id,
 * so archived values can be checked. An invalid record is written as Avro when Avro can carry
 * what breaks it (an empty or too long field, a bad timestamp); one that Avro cannot carry (not
 * JSON, a missing field, a field of the wrong type) stays the plan's JSON, as it would on a topic
 * shared by JSON and Avro producers. With {@link Builder#jsonEvery} every n-th record stays JSON.
 *
 * <pre>{@code
 * ValueEncoder avro = AvroValues.builder().schema(0, v1Id, v1).schema(5_000, v2Id, v2).jsonEvery(2).build();
 * }</pre>
 */
public final class AvroValues implements ValueEncoder {
  /** The optional field the evolved schema of tests and examples adds. */
  public static final String REFERRER = "referrer";

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Stage(long fromIndex, int schemaId, Schema schema) {}

  private final List<Stage> stages;
  private final int jsonEvery;

  private AvroValues(List<Stage> stages, int jsonEvery) {
    this.stages = stages;
    this.jsonEvery = jsonEvery;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Values written with {@code writer} registered under the events subject ({@code
   * tidemark.schema-registry.subject}), as a Confluent producer with auto-registration does;
   * registering a schema the subject already holds returns its id.
   *
   * @param jsonEvery every n-th record stays JSON (0: none)
   * @throws GeneratorException naming the registry when it refuses or cannot be reached
   */
  public static AvroValues registered(io.tidemark.core.config.TidemarkConfig cfg, Schema writer, int jsonEvery) {
    String subject = cfg.get(io.tidemark.core.config.SchemaRegistryOptions.SUBJECT);
    int id;
    try {
      id = io.tidemark.core.registry.SchemaRegistryClient.fromConfig(cfg).register(subject, writer.toString());
    } catch (io.tidemark.core.registry.SchemaRegistryException e) {
      throw new GeneratorException("Cannot register the writer schema under " + subject + ": " + e.getMessage(), e);
    } catch (io.tidemark.core.config.ConfigException e) {
      throw new GeneratorException("Avro output needs a schema registry: set tidemark.schema-registry.url or run ./tidemark stack up", e);
    }
    return builder().schema(0, id, writer).jsonEvery(jsonEvery).build();
  }

  /** The referrer the evolved schema's records carry for an event. */
  public static String referrerOf(String eventId) {
    return "https://ref.example/" + Math.floorMod(eventId.hashCode(), 7);
  }

  @Override
  public byte[] encode(GeneratedRecord record, long index) {
    if (jsonEvery > 0 && index % jsonEvery == jsonEvery - 1) {
      return record.value();
    }
    Stage stage = stages.get(0);
    for (Stage s : stages) {
      if (index >= s.fromIndex()) {
        stage = s;
      }
    }
    PageViewEvent e = record.event() != null ? record.event() : asEvent(record.value());
    if (e == null) {
      return record.value();
    }
    GenericRecord r = PageViewAvro.toRecord(e, stage.schema());
    if (stage.schema().getField(REFERRER) != null) {
      r.put(REFERRER, referrerOf(e.eventId()));
    }
    return PageViewAvro.toWireFormat(stage.schemaId(), r);
  }

  /** The four fields of a broken JSON record when each has its contract type, else null. */
  private static PageViewEvent asEvent(byte[] json) {
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || !n.isObject() || !n.path(EventContract.EVENT_ID).isTextual() || !n.path(EventContract.USER_ID).isTextual()
          || !n.path(EventContract.PAGE_URL).isTextual() || !n.path(EventContract.TIMESTAMP).isIntegralNumber()
          || !n.path(EventContract.TIMESTAMP).canConvertToLong()) {
        return null;
      }
      return new PageViewEvent(n.get(EventContract.EVENT_ID).textValue(), n.get(EventContract.USER_ID).textValue(),
          n.get(EventContract.PAGE_URL).textValue(), n.get(EventContract.TIMESTAMP).longValue());
    } catch (IOException e) {
      return null;
    }
  }

  /** Builder; at least one schema, the first from index 0. */
  public static final class Builder {
    private final List<Stage> stages = new ArrayList<>();
    private int jsonEvery;

    /** From plan index {@code fromIndex} on, records are written with {@code schema}, registered as {@code schemaId}. */
    public Builder schema(long fromIndex, int schemaId, Schema schema) {
      stages.add(new Stage(fromIndex, schemaId, Objects.requireNonNull(schema, "schema")));
      return this;
    }

    /** Every {@code n}-th record stays JSON (0, the default: none). */
    public Builder jsonEvery(int n) {
      jsonEvery = n;
      return this;
    }

    public AvroValues build() {
      if (stages.isEmpty() || stages.get(0).fromIndex() != 0) {
        throw new IllegalArgumentException("Property schema is required but not provided (the first from index 0)");
      }
      if (jsonEvery < 0 || jsonEvery == 1) {
        throw new IllegalArgumentException("jsonEvery must be 0 (all Avro) or at least 2, got " + jsonEvery);
      }
      return new AvroValues(List.copyOf(stages), jsonEvery);
    }
  }
}
