package io.tidemark.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The Avro half of the one decoder: wire format, writer schemas by id, resolution, verdicts. */
class AvroDecodingTest {
  /** The producers' own schema from issue 15: no namespace, logicalType beside "type": "long". */
  static final String PRODUCER_V1 = """
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"}]}""";

  /** V1 plus an optional field with a default: a backward-compatible evolution. */
  static final String PRODUCER_V2 = """
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
        {"name": "referrer", "type": ["null", "string"], "default": null}]}""";

  /** No page_url: cannot be read as the contract. */
  static final String NO_PAGE_URL = """
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "timestamp", "type": "long"}]}""";

  /** timestamp as a string: cannot be read as the contract. */
  static final String STRING_TIMESTAMP = """
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"}, {"name": "timestamp", "type": "string"}]}""";

  static final PageViewEvent EVENT = new PageViewEvent("e1", "u1", "/home", 1_764_000_000_123L);

  private final Map<Integer, String> registry = new HashMap<>(Map.of(1, PRODUCER_V1, 2, PRODUCER_V2, 3, NO_PAGE_URL, 4, STRING_TIMESTAMP));
  private final AtomicInteger lookups = new AtomicInteger();
  private final WriterSchemas schemas = WriterSchemas.builder()
      .source(id -> Optional.ofNullable(registry.get(id)))
      .listener(new WriterSchemas.Listener() {
        @Override
        public void lookedUp(int id) {
          lookups.incrementAndGet();
        }
      })
      .build();

  static byte[] wire(int id, String schema, PageViewEvent e) {
    return PageViewAvro.toWireFormat(id, PageViewAvro.toRecord(e, new Schema.Parser().parse(schema)));
  }

  @Test
  void decodesTheProducersSchemaAndCachesItPerId() {
    for (int i = 0; i < 100; i++) {
      assertThat(PageViewParser.parse(wire(1, PRODUCER_V1, EVENT), 0, schemas, null))
          .isEqualTo(new ParseResult.Valid(EVENT, 1));
    }
    assertThat(lookups).hasValue(1);
  }

  @Test
  void decodesAnEvolvedSchemaAndHandsItsNewFieldToTheCaller() {
    Schema v2 = new Schema.Parser().parse(PRODUCER_V2);
    GenericRecord r = PageViewAvro.toRecord(EVENT, v2);
    r.put("referrer", "https://search.example/");
    Map<String, Object> extras = new HashMap<>();
    PageViewParser.UnknownFieldReader reader = new PageViewParser.UnknownFieldReader() {
      @Override
      public void read(String field, com.fasterxml.jackson.core.JsonParser parser) {}

      @Override
      public void readDecoded(String field, Object value) {
        extras.put(field, value == null ? null : value.toString());
      }
    };
    assertThat(PageViewParser.parse(PageViewAvro.toWireFormat(2, r), 0, schemas, reader))
        .isEqualTo(new ParseResult.Valid(EVENT, 2));
    assertThat(extras).containsExactly(Map.entry("referrer", "https://search.example/"));
    // a v2 record without a referrer, and a v1 record: both valid, the field null or absent
    extras.clear();
    assertThat(PageViewParser.parse(wire(2, PRODUCER_V2, EVENT), 0, schemas, reader)).isEqualTo(new ParseResult.Valid(EVENT, 2));
    assertThat(extras).containsEntry("referrer", null);
  }

  @Test
  void jsonAndAvroGoThroughTheSameEntryPoint() {
    assertThat(PageViewParser.parse(PageViewJson.toBytes(EVENT), 0, schemas, null)).isEqualTo(new ParseResult.Valid(EVENT));
    assertThat(PageViewParser.parse(" \n".getBytes(), 0, schemas, null)).isInstanceOf(ParseResult.Invalid.class)
        .extracting(r -> ((ParseResult.Invalid) r).reason()).isEqualTo(InvalidReason.NOT_JSON);
  }

  @Test
  void unknownSchemaIdIsDeadLetteredWithTheIdInTheDetail() {
    assertThat(PageViewParser.parse(wire(99, PRODUCER_V1, EVENT), 0, schemas, null))
        .isEqualTo(new ParseResult.Invalid(InvalidReason.UNKNOWN_SCHEMA, "schema id 99 is not in the schema registry", 99));
  }

  @Test
  void withoutARegistryEveryAvroRecordIsUnknownSchema() {
    ParseResult r = PageViewParser.parse(wire(1, PRODUCER_V1, EVENT), 0);
    assertThat(((ParseResult.Invalid) r).reason()).isEqualTo(InvalidReason.UNKNOWN_SCHEMA);
    assertThat(((ParseResult.Invalid) r).detail()).contains("schema id 1", "tidemark.schema-registry.url");
  }

  @Test
  void truncatedAvroIsUndecodable() {
    byte[] full = wire(1, PRODUCER_V1, EVENT);
    ParseResult.Invalid r = (ParseResult.Invalid) PageViewParser.parse(Arrays.copyOf(full, full.length - 3), 0, schemas, null);
    assertThat(r.reason()).isEqualTo(InvalidReason.UNDECODABLE_AVRO);
    assertThat(r.detail()).isEqualTo("bytes do not decode with schema id 1: record ends early (truncated)");
    assertThat(r.schemaId()).isEqualTo(1);
    ParseResult.Invalid shortHeader = (ParseResult.Invalid) PageViewParser.parse(new byte[] {0, 0, 1}, 0, schemas, null);
    assertThat(shortHeader.reason()).isEqualTo(InvalidReason.UNDECODABLE_AVRO);
  }

  @Test
  void bytesLeftOverAreUndecodable() {
    byte[] full = wire(1, PRODUCER_V1, EVENT);
    byte[] longer = Arrays.copyOf(full, full.length + 2);
    ParseResult.Invalid r = (ParseResult.Invalid) PageViewParser.parse(longer, 0, schemas, null);
    assertThat(r.reason()).isEqualTo(InvalidReason.UNDECODABLE_AVRO);
    assertThat(r.detail()).contains("schema id 1", "left over");
  }

  @Test
  void incompatibleWriterSchemasAreRejectedByName() {
    ParseResult.Invalid noPage = (ParseResult.Invalid) PageViewParser.parse(
        PageViewAvro.toWireFormat(3, record(NO_PAGE_URL)), 0, schemas, null);
    assertThat(noPage.reason()).isEqualTo(InvalidReason.INCOMPATIBLE_SCHEMA);
    assertThat(noPage.detail()).startsWith("schema id 3 cannot be read as PageView").contains("page_url");
    GenericRecord s = new org.apache.avro.generic.GenericData.Record(new Schema.Parser().parse(STRING_TIMESTAMP));
    s.put("event_id", "e");
    s.put("user_id", "u");
    s.put("page_url", "/p");
    s.put("timestamp", "yesterday");
    ParseResult.Invalid stringTs = (ParseResult.Invalid) PageViewParser.parse(PageViewAvro.toWireFormat(4, s), 0, schemas, null);
    assertThat(stringTs.reason()).isEqualTo(InvalidReason.INCOMPATIBLE_SCHEMA);
    assertThat(stringTs.detail()).contains("schema id 4", "timestamp");
  }

  private static GenericRecord record(String schema) {
    GenericRecord r = new org.apache.avro.generic.GenericData.Record(new Schema.Parser().parse(schema));
    r.put("event_id", "e");
    r.put("user_id", "u");
    r.put("timestamp", 5L);
    return r;
  }

  @Test
  void avroRecordsMeetTheSameFieldRulesAsJson() {
    PageViewEvent blankUser = new PageViewEvent("e1", " ", "/home", 5L);
    ParseResult.Invalid r = (ParseResult.Invalid) PageViewParser.parse(wire(1, PRODUCER_V1, blankUser), 0, schemas, null);
    assertThat(r).isEqualTo(new ParseResult.Invalid(InvalidReason.EMPTY_FIELD, "user_id is empty (Avro, schema id 1)", 1));
    ParseResult.Invalid future = (ParseResult.Invalid) PageViewParser.parse(
        wire(1, PRODUCER_V1, new PageViewEvent("e", "u", "/p", 10_000_000L)), 1_000L, schemas, null);
    assertThat(future.reason()).isEqualTo(InvalidReason.TIMESTAMP_IN_FUTURE);
  }

  @Test
  void anIntTimestampIsPromotedToLong() {
    String intTs = PRODUCER_V1.replace("\"type\": \"long\", \"logicalType\": \"timestamp-millis\"", "\"type\": \"int\"");
    registry.put(5, intTs);
    GenericRecord r = new org.apache.avro.generic.GenericData.Record(new Schema.Parser().parse(intTs));
    r.put("event_id", "e");
    r.put("user_id", "u");
    r.put("page_url", "/p");
    r.put("timestamp", 12_345);
    assertThat(PageViewParser.parse(PageViewAvro.toWireFormat(5, r), 0, schemas, null))
        .isEqualTo(new ParseResult.Valid(new PageViewEvent("e", "u", "/p", 12_345L), 5));
  }

  @Test
  void anUnreachableRegistryIsRetriedWithBackoffNeverAVerdict() {
    AtomicInteger failuresLeft = new AtomicInteger(6);
    List<Duration> waits = new ArrayList<>();
    AtomicLong now = new AtomicLong(1_000);
    List<Duration> recovered = new ArrayList<>();
    WriterSchemas flaky = WriterSchemas.builder()
        .source(id -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new SchemaRegistryUnavailableException("Connection refused");
          }
          return Optional.of(PRODUCER_V1);
        })
        .maxBackoff(Duration.ofMillis(500))
        .sleeper(d -> {
          waits.add(d);
          now.addAndGet(d.toMillis());
        })
        .clock(now::get)
        .listener(new WriterSchemas.Listener() {
          @Override
          public void recovered(int id, Duration waited) {
            recovered.add(waited);
          }
        })
        .build();
    assertThat(PageViewParser.parse(wire(1, PRODUCER_V1, EVENT), 0, flaky, null)).isEqualTo(new ParseResult.Valid(EVENT, 1));
    assertThat(waits).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 500L, 500L, 500L);
    assertThat(recovered).containsExactly(Duration.ofMillis(2_200));
  }

  @Test
  void anUnknownIdIsAskedAgainAfterTheRecheckInterval() {
    AtomicLong now = new AtomicLong(0);
    Map<Integer, String> later = new HashMap<>();
    WriterSchemas s = WriterSchemas.builder().source(id -> Optional.ofNullable(later.get(id))).clock(now::get).build();
    assertThat(s.resolve(7)).isInstanceOf(WriterSchemas.Resolved.Unknown.class);
    later.put(7, PRODUCER_V1);
    now.set(WriterSchemas.UNKNOWN_RECHECK.toMillis() - 1);
    assertThat(s.resolve(7)).isInstanceOf(WriterSchemas.Resolved.Unknown.class);
    now.set(WriterSchemas.UNKNOWN_RECHECK.toMillis());
    assertThat(s.resolve(7)).isInstanceOf(WriterSchemas.Resolved.Known.class);
  }

  @Test
  void aNonAvroSchemaIsIncompatible() {
    assertThat(WriterSchemas.resolveAgainstContract(8, "{\"type\": \"object\"}")).isInstanceOf(WriterSchemas.Resolved.Incompatible.class);
    assertThat(WriterSchemas.resolveAgainstContract(9, "\"string\"")).isInstanceOf(WriterSchemas.Resolved.Incompatible.class);
  }
}
