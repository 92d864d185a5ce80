package io.tidemark.speed.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.event.PageViewEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class PageViewEventSerializerTest {
  private final PageViewEventSerializer serializer = PageViewEventSerializer.INSTANCE;

  private static final PageViewEvent ASCII =
      new PageViewEvent("3f1c2a9e-0b7d-4c1e-9a55-0d2b6f8e7a10", "user_42", "/products/17", 1_764_000_000_123L);
  private static final PageViewEvent NON_ASCII =
      new PageViewEvent("évènement-1", "ユーザー", "/s\u00e4ite?q=\u20ac&x=\uD83D\uDE00", -5L);

  @Test
  void roundTripsAsciiAndNonAsciiFieldsExactly() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(ASCII, out);
    serializer.serialize(NON_ASCII, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());

    assertThat(serializer.deserialize(in)).isEqualTo(ASCII);
    assertThat(serializer.deserialize(in)).isEqualTo(NON_ASCII);
    assertThat(in.available()).isZero();
  }

  @Test
  void writesTheDocumentedLayout() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(new PageViewEvent("e", "u1", "/p", 7L), out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());

    assertThat(in.readInt()).isEqualTo(1);
    assertThat((char) in.readByte()).isEqualTo('e');
    assertThat(in.readInt()).isEqualTo(2);
    in.skipBytesToRead(2);
    assertThat(in.readInt()).isEqualTo(2);
    in.skipBytesToRead(2);
    assertThat(in.readLong()).isEqualTo(7L);
    assertThat(in.available()).isZero();
    assertThat(out.length()).isEqualTo(3 * 4 + 1 + 2 + 2 + 8);
  }

  @Test
  void roundTripsEmptyStrings() throws IOException {
    PageViewEvent empty = new PageViewEvent("", "", "", 0L);
    DataOutputSerializer out = new DataOutputSerializer(16);
    serializer.serialize(empty, out);

    assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))).isEqualTo(empty);
    assertThat(out.length()).isEqualTo(3 * 4 + 8);
  }

  @Test
  void copiesSerializedBytesWithoutChangingThem() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(NON_ASCII, out);
    byte[] original = out.getCopyOfBuffer();
    DataOutputSerializer copied = new DataOutputSerializer(64);

    serializer.copy(new DataInputDeserializer(original), copied);

    assertThat(copied.getCopyOfBuffer()).isEqualTo(original);
  }

  @Test
  void immutableEventsAreNotCopied() {
    assertThat(serializer.isImmutableType()).isTrue();
    assertThat(serializer.copy(ASCII)).isSameAs(ASCII);
  }

  @Test
  void snapshotRestoresACompatibleSerializer() throws IOException {
    TypeSerializerSnapshot<PageViewEvent> snapshot = serializer.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    snapshot.writeSnapshot(out);
    TypeSerializerSnapshot<PageViewEvent> read = new PageViewEventSerializer.Snapshot();
    read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    TypeSerializer<PageViewEvent> restored = read.restoreSerializer();
    TypeSerializerSchemaCompatibility<PageViewEvent> compatibility =
        serializer.snapshotConfiguration().resolveSchemaCompatibility(read);

    assertThat(restored).isSameAs(PageViewEventSerializer.INSTANCE);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
    assertThat(PageViewEventTypeInfo.INSTANCE.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
        .isSameAs(PageViewEventSerializer.INSTANCE);
  }
}
