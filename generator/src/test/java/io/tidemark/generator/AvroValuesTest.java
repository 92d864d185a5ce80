package io.tidemark.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.event.WriterSchemas;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AvroValuesTest {
  private static final Instant START = Instant.parse("2026-11-24T23:58:30Z");
  static final Schema V2 = new Schema.Parser().parse("""
      {"type": "record", "name": "PageView", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "string"},
        {"name": "page_url", "type": "string"},
        {"name": "timestamp", "type": "long", "logicalType": "timestamp-millis"},
        {"name": "referrer", "type": ["null", "string"], "default": null}]}""");

  @Test
  void everyRecordDecodesToWhatThePlanMeantWhicheverFormatItIsIn() {
    GeneratorSpec spec = GeneratorSpec.builder().rate(200).duration(Duration.ofSeconds(60)).users(30).pages(10).seed(3)
        .startTime(START).outOfOrderMs(4_000).lateFraction(0.02).duplicateFraction(0.05).invalidFraction(0.05).build();
    AvroValues avro = AvroValues.builder().schema(0, 11, PageViewAvro.SCHEMA).schema(6_000, 12, V2).jsonEvery(3).build();
    WriterSchemas schemas = WriterSchemas.builder()
        .source(id -> Optional.ofNullable(Map.of(11, PageViewAvro.SCHEMA.toString(), 12, V2.toString()).get(id))).build();
    Map<String, byte[]> firstBytes = new HashMap<>();
    Map<Integer, Integer> bySchema = new HashMap<>();
    int json = 0;
    int expectedJson = 0;
    java.util.Set<io.tidemark.core.event.InvalidReason> jsonOnly = java.util.EnumSet.of(
        io.tidemark.core.event.InvalidReason.NOT_JSON, io.tidemark.core.event.InvalidReason.MISSING_FIELD,
        io.tidemark.core.event.InvalidReason.WRONG_TYPE);
    long i = 0;
    for (GeneratedRecord r : new TrafficPlan(spec, START.toEpochMilli())) {
      byte[] value = avro.encode(r, i);
      ParseResult p = PageViewParser.parse(value, START.toEpochMilli(), schemas, null);
      if (i % 3 == 2 || (r.kind() == GeneratedRecord.Kind.INVALID && jsonOnly.contains(r.expectedReason()))) {
        expectedJson++;
      }
      if (p.schemaId() == null) {
        json++;
      } else {
        bySchema.merge(p.schemaId(), 1, Integer::sum);
        assertThat(p.schemaId()).isEqualTo(i < 6_000 ? 11 : 12);
      }
      if (r.kind() == GeneratedRecord.Kind.INVALID) {
        assertThat(p).isInstanceOfSatisfying(ParseResult.Invalid.class, inv -> assertThat(inv.reason()).isEqualTo(r.expectedReason()));
      } else {
        assertThat(p).isInstanceOfSatisfying(ParseResult.Valid.class, v -> assertThat(v.event()).isEqualTo(r.event()));
      }
      i++;
    }
    // every third of 12,000 stays JSON, and so do invalid records Avro cannot carry
    assertThat(json).isEqualTo(expectedJson).isBetween(4_001, 4_400);
    assertThat(bySchema.get(11) + bySchema.get(12)).isEqualTo(12_000 - expectedJson);
    assertThat(bySchema.get(11)).isBetween(3_800, 4_000);
  }
}
