package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowMapperTest {
  private static final long NOW = 1_764_000_000_000L; // 2025-11-24T16:00:00Z
  private final RowMapper mapper = new RowMapper();

  private Map<String, Object> map(String json) {
    return mapper.map(json == null ? null : json.getBytes(StandardCharsets.UTF_8), "pageview_events", 3, 42L, NOW, NOW + 5);
  }

  private static OffsetDateTime utc(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC);
  }

  @Test
  void validEventKeepsFieldsAndKafkaCoordinatesWithoutRawPayload() {
    Map<String, Object> s = map("{\"event_id\":\"e1\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":" + NOW + "}");
    assertThat(s.get("valid")).isEqualTo(true);
    assertThat(s.get("event_id")).isEqualTo("e1");
    assertThat(s.get("user_id")).isEqualTo("u1");
    assertThat(s.get("page_url")).isEqualTo("/a");
    assertThat(s.get("timestamp")).isEqualTo(NOW);
    assertThat(s.get("event_time")).isEqualTo(utc(NOW));
    assertThat(s.get("raw_payload")).isNull();
    assertThat(s.get("invalid_reason")).isNull();
    assertThat(s.get("kafka_topic")).isEqualTo("pageview_events");
    assertThat(s.get("kafka_partition")).isEqualTo(3);
    assertThat(s.get("kafka_offset")).isEqualTo(42L);
    assertThat(s.get("kafka_timestamp")).isEqualTo(utc(NOW));
    assertThat(s.get("ingest_time")).isEqualTo(utc(NOW + 5));
  }

  @Test
  void invalidEventKeepsWhatParsedWithReasonAndOriginalBytes() {
    String json = "{\"event_id\":\"e2\",\"user_id\":\"\",\"page_url\":\"/b\",\"timestamp\":" + NOW + "}";
    Map<String, Object> s = map(json);
    assertThat(s.get("valid")).isEqualTo(false);
    assertThat(s.get("invalid_reason")).isEqualTo("empty-field");
    assertThat((String) s.get("invalid_detail")).contains("user_id");
    assertThat(s.get("event_id")).isEqualTo("e2");
    assertThat(s.get("user_id")).isEqualTo("");
    assertThat(s.get("event_time")).isEqualTo(utc(NOW));
    assertThat(new String((byte[]) s.get("raw_payload"), StandardCharsets.UTF_8)).isEqualTo(json);
  }

  @Test
  void unparsableBytesLandInTheNullPartitionWithTheirBytes() {
    Map<String, Object> s = map("not json at all");
    assertThat(s.get("valid")).isEqualTo(false);
    assertThat(s.get("invalid_reason")).isEqualTo("not-json");
    assertThat(s.get("event_id")).isNull();
    assertThat(s.get("event_time")).isNull();
    assertThat(new String((byte[]) s.get("raw_payload"), StandardCharsets.UTF_8)).isEqualTo("not json at all");
  }

  @Test
  void nullValueIsAnInvalidRowWithEmptyPayload() {
    Map<String, Object> s = map(null);
    assertThat(s.get("valid")).isEqualTo(false);
    assertThat(s.get("invalid_reason")).isEqualTo("not-json");
    assertThat((byte[]) s.get("raw_payload")).isEmpty();
  }

  @ParameterizedTest(name = "timestamp {0} -> event_time set: {1}")
  @CsvSource({"0,false", "-5,false", "1,true", "253402300799999,true", "253402300800000,false", "9223372036854775807,false"})
  void eventTimeOnlyForTimestampsAnIcebergTimestampCanHold(long ts, boolean set) {
    Map<String, Object> s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + ts + "}");
    assertThat(s.get("timestamp")).isEqualTo(ts);
    assertThat(s.get("event_time") != null).isEqualTo(set);
  }

  @Test
  void timestampOfTheWrongTypeIsNotKept() {
    Map<String, Object> s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":\"yesterday\"}");
    assertThat(s.get("invalid_reason")).isEqualTo("wrong-type");
    assertThat(s.get("timestamp")).isNull();
    assertThat(s.get("event_id")).isEqualTo("e");
  }

  @Test
  void unknownFieldsBecomeOptionalStringColumns() {
    Map<String, Object> s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + NOW
        + ",\"referrer\":\"/home\",\"screen_width\":1280,\"flags\":{\"a\":1},\"Bad-Name\":1,\"valid\":false,\"gone\":null}");
    assertThat(s.get("valid")).isEqualTo(true);
    assertThat(s.get("referrer")).isEqualTo("/home");
    assertThat(s.get("screen_width")).isEqualTo("1280");
    assertThat(s.get("flags")).isEqualTo("{\"a\":1}");
    assertThat(s).doesNotContainKeys("Bad-Name", "gone");
  }

  @Test
  void nullColumnsAreLeftOutAndRowsOfOneMillisecondShareTheirTimestamps() {
    Map<String, Object> a = map("not json");
    assertThat(a).doesNotContainKeys("event_id", "timestamp", "event_time");
    Map<String, Object> b = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + NOW + "}");
    Map<String, Object> c = map("{\"event_id\":\"f\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + NOW + "}");
    assertThat(c.get("event_time")).isSameAs(b.get("event_time")).isEqualTo(utc(NOW));
    assertThat(c.get("ingest_time")).isSameAs(b.get("ingest_time")).isEqualTo(utc(NOW + 5));
    assertThat(b).doesNotContainKeys("raw_payload", "invalid_reason", "invalid_detail");
  }

  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource({"0,1970-01-01T00:00Z", "-1,1969-12-31T23:59:59.999Z", "1764000000123,2025-11-24T16:00:00.123Z",
      "253402300799999,9999-12-31T23:59:59.999Z"})
  void timestampsAreUtcInstantsToTheMillisecond(long ms, String expected) {
    assertThat(new UtcTimestamps().of(ms)).isEqualTo(OffsetDateTime.parse(expected));
  }
}
