package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class PageViewRecordTransformTest {
  private final PageViewRecordTransform<SinkRecord> transform = new PageViewRecordTransform<>();

  private static SinkRecord record(Object value) {
    return new SinkRecord("pageview_events", 2, Schema.OPTIONAL_BYTES_SCHEMA, "u1".getBytes(StandardCharsets.UTF_8),
        Schema.OPTIONAL_BYTES_SCHEMA, value, 1234L, 1_700_000_000_000L, TimestampType.CREATE_TIME);
  }

  @Test
  void rawBytesBecomeARowWithTheRecordsOffsetAndKeepTheSinkCoordinates() {
    byte[] json = "{\"event_id\":\"e\",\"user_id\":\"u1\",\"page_url\":\"/p\",\"timestamp\":1700000000000}".getBytes(StandardCharsets.UTF_8);
    SinkRecord out = transform.apply(record(json));
    Map<?, ?> row = (Map<?, ?>) out.value();
    assertThat(row.get("kafka_offset")).isEqualTo(1234L);
    assertThat(row.get("kafka_partition")).isEqualTo(2);
    assertThat(row.get("valid")).isEqualTo(true);
    assertThat(out.kafkaOffset()).isEqualTo(1234L);
    assertThat(out.kafkaPartition()).isEqualTo(2);
    assertThat(out.valueSchema()).isNull();
  }

  @Test
  void stringValuesAreAcceptedToo() {
    Map<?, ?> row = (Map<?, ?>) transform.apply(record("garbage")).value();
    assertThat(row.get("invalid_reason")).isEqualTo("not-json");
  }

  @Test
  void parsedValuesAreRejectedNamingTheConverterToUse() {
    assertThatThrownBy(() -> transform.apply(record(Map.of("event_id", "e"))))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("PageViewRecordTransform needs the raw record value: configure value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
  }
}
