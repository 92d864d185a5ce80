package io.tidemark.speed.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.event.PageViewEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageViewDeserializerTest {
  static ConsumerRecord<byte[], byte[]> record(String value) {
    return new ConsumerRecord<>(
        "pageview_events", 3, 42L, "u1".getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void validRecordBecomesAnEvent() {
    SourceRecord r =
        new PageViewDeserializer()
            .toSourceRecord(record("{\"event_id\":\"e1\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":1764000000000}"));
    assertThat(r.isValid()).isTrue();
    assertThat(r.event()).isEqualTo(new PageViewEvent("e1", "u1", "/a", 1_764_000_000_000L));
    assertThat(r.eventTime()).isEqualTo(1_764_000_000_000L);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|not-json",
        "{\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":1764000000000}|missing-field",
        "{\"event_id\":\"\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":1764000000000}|empty-field",
        "{\"event_id\":\"e\",\"user_id\":\"u1\",\"page_url\":\"/a\",\"timestamp\":-5}|timestamp-not-positive",
        "{\"event_id\":\"e\",\"user_id\":1,\"page_url\":\"/a\",\"timestamp\":1764000000000}|wrong-type"
      })
  void invalidRecordBecomesADeadLetterWithOriginalBytesAndSource(String value, String reason) {
    SourceRecord r = new PageViewDeserializer().toSourceRecord(record(value));
    assertThat(r.isValid()).isFalse();
    assertThat(r.eventTime()).isEqualTo(Long.MIN_VALUE);
    DeadLetter d = r.deadLetter();
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.detail()).isNotBlank();
    assertThat(new String(d.value(), StandardCharsets.UTF_8)).isEqualTo(value);
    assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("u1");
    assertThat(d.topic()).isEqualTo("pageview_events");
    assertThat(d.partition()).isEqualTo(3);
    assertThat(d.offset()).isEqualTo(42L);
  }

  @Test
  void nullValueIsADeadLetter() {
    assertThat(new PageViewDeserializer().toSourceRecord(record(null)).deadLetter().reason()).isEqualTo("not-json");
  }
}
