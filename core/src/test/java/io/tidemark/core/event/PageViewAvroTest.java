package io.tidemark.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class PageViewAvroTest {
  @Test
  void schemaHasTheSeedFields() {
    assertThat(PageViewAvro.SCHEMA.getFields()).extracting(f -> f.name())
        .containsExactly("event_id", "user_id", "page_url", "timestamp");
  }

  @Test
  void isExactlyTheProducersSchema() throws Exception {
    // the producers' schema from issue 15, as confluent-kafka producers register it
    String producers = "{\"type\": \"record\", \"name\": \"PageView\", \"fields\": ["
        + "{\"name\": \"event_id\", \"type\": \"string\"}, {\"name\": \"user_id\", \"type\": \"string\"},"
        + "{\"name\": \"page_url\", \"type\": \"string\"},"
        + "{\"name\": \"timestamp\", \"type\": \"long\", \"logicalType\": \"timestamp-millis\"}]}";
    org.apache.avro.Schema theirs = new org.apache.avro.Schema.Parser().parse(producers);
    assertThat(PageViewAvro.SCHEMA).isEqualTo(theirs);
    assertThat(PageViewAvro.SCHEMA.getFullName()).isEqualTo("PageView");
    assertThat(PageViewAvro.SCHEMA.getField("timestamp").schema().getLogicalType()).isNull();
  }

  @Test
  void roundTripsThroughAvroBinary() throws Exception {
    PageViewEvent e = new PageViewEvent("e1", "u1", "/home", 1_764_000_000_123L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Encoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(PageViewAvro.SCHEMA).write(PageViewAvro.toRecord(e), enc);
    enc.flush();
    GenericRecord back = new GenericDatumReader<GenericRecord>(PageViewAvro.SCHEMA)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(PageViewAvro.fromRecord(back, 0)).isEqualTo(new ParseResult.Valid(e));
  }

  @Test
  void appliesTheSameRulesAsJson() {
    GenericRecord r = PageViewAvro.toRecord(new PageViewEvent("e1", " ", "/home", 5L));
    assertThat(PageViewAvro.fromRecord(r, 0)).isEqualTo(
        new ParseResult.Invalid(InvalidReason.EMPTY_FIELD, "user_id is empty"));
  }
}
