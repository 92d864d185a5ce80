package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowMapperTest {
  private static final long NOW = 1_764_000_000_000L; // 2025-11-24T16:00:00Z
  private final RowMapper mapper = new RowMapper();

  private Struct map(String json) {
    return mapper.map(json == null ? null : json.getBytes(StandardCharsets.UTF_8), "pageview_events", 3, 42L, NOW, NOW + 5).value();
  }

  @Test
  void validEventKeepsFieldsAndKafkaCoordinatesWithoutRawPayload() {
    Struct s = map("{\"event_id\":\"e1\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":" + NOW + "}");
    assertThat(s.getBoolean("valid")).isTrue();
    assertThat(s.getString("event_id")).isEqualTo("e1");
    assertThat(s.getString("user_id")).isEqualTo("u1");
    assertThat(s.getString("page_url")).isEqualTo("/a");
    assertThat(s.getInt64("timestamp")).isEqualTo(NOW);
    assertThat(s.get("event_time")).isEqualTo(new Date(NOW));
    assertThat(s.get("raw_payload")).isNull();
    assertThat(s.get("invalid_reason")).isNull();
    assertThat(s.getString("kafka_topic")).isEqualTo("pageview_events");
    assertThat(s.getInt32("kafka_partition")).isEqualTo(3);
    assertThat(s.getInt64("kafka_offset")).isEqualTo(42L);
    assertThat(s.get("kafka_timestamp")).isEqualTo(new Date(NOW));
    assertThat(s.get("ingest_time")).isEqualTo(new Date(NOW + 5));
  }

  @Test
  void invalidEventKeepsWhatParsedWithReasonAndOriginalBytes() {
    String json = "{\"event_id\":\"e2\",\"user_id\":\"\",\"page_url\":\"/b\",\"timestamp\":" + NOW + "}";
    Struct s = map(json);
    assertThat(s.getBoolean("valid")).isFalse();
    assertThat(s.getString("invalid_reason")).isEqualTo("empty-field");
    assertThat(s.getString("invalid_detail")).contains("user_id");
    assertThat(s.getString("event_id")).isEqualTo("e2");
    assertThat(s.getString("user_id")).isEmpty();
    assertThat(s.get("event_time")).isEqualTo(new Date(NOW));
    assertThat(new String(s.getBytes("raw_payload"), StandardCharsets.UTF_8)).isEqualTo(json);
  }

  @Test
  void unparsableBytesLandInTheNullPartitionWithTheirBytes() {
    Struct s = map("not json at all");
    assertThat(s.getBoolean("valid")).isFalse();
    assertThat(s.getString("invalid_reason")).isEqualTo("not-json");
    assertThat(s.get("event_id")).isNull();
    assertThat(s.get("event_time")).isNull();
    assertThat(new String(s.getBytes("raw_payload"), StandardCharsets.UTF_8)).isEqualTo("not json at all");
  }

  @Test
  void nullValueIsAnInvalidRowWithEmptyPayload() {
    Struct s = map(null);
    assertThat(s.getBoolean("valid")).isFalse();
    assertThat(s.getString("invalid_reason")).isEqualTo("not-json");
    assertThat(s.getBytes("raw_payload")).isEmpty();
  }

  @ParameterizedTest(name = "timestamp {0} -> event_time set: {1}")
  @CsvSource({"0,false", "-5,false", "1,true", "253402300799999,true", "253402300800000,false", "9223372036854775807,false"})
  void eventTimeOnlyForTimestampsAnIcebergTimestampCanHold(long ts, boolean set) {
    Struct s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + ts + "}");
    assertThat(s.getInt64("timestamp")).isEqualTo(ts);
    assertThat(s.get("event_time") != null).isEqualTo(set);
  }

  @Test
  void timestampOfTheWrongTypeIsNotKept() {
    Struct s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":\"yesterday\"}");
    assertThat(s.getString("invalid_reason")).isEqualTo("wrong-type");
    assertThat(s.get("timestamp")).isNull();
    assertThat(s.getString("event_id")).isEqualTo("e");
  }

  @Test
  void unknownFieldsBecomeOptionalStringColumns() {
    Struct s = map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + NOW
        + ",\"referrer\":\"/home\",\"screen_width\":1280,\"flags\":{\"a\":1},\"Bad-Name\":1,\"valid\":false,\"gone\":null}");
    assertThat(s.getBoolean("valid")).isTrue();
    assertThat(s.getString("referrer")).isEqualTo("/home");
    assertThat(s.getString("screen_width")).isEqualTo("1280");
    assertThat(s.getString("flags")).isEqualTo("{\"a\":1}");
    assertThat(s.schema().field("Bad-Name")).isNull();
    assertThat(s.schema().field("gone")).isNull();
    assertThat(s.schema().field("referrer").schema().isOptional()).isTrue();
  }

  @Test
  void sameFieldSetSharesOneSchema() {
    String a = "{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1,\"x\":\"1\"}";
    String b = "{\"event_id\":\"f\",\"user_id\":\"v\",\"page_url\":\"/q\",\"timestamp\":2,\"x\":\"2\"}";
    assertThat(map(a).schema()).isSameAs(map(b).schema());
    assertThat(map("{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1}").schema()).isSameAs(RowMapper.BASE_SCHEMA);
  }
}
