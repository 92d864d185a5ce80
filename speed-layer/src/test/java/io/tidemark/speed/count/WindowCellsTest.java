package io.tidemark.speed.count;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class WindowCellsTest {
  static final long W0 = 1_764_000_000_000L;
  static final long W1 = W0 + 60_000;

  @Test
  void countsPerWindowAndRemembersIdsAcrossWindows() {
    WindowCells c = new WindowCells();
    assertThat(c.add(W0, "a")).isEqualTo(1);
    assertThat(c.add(W0, "b")).isEqualTo(2);
    assertThat(c.add(W1, "c")).isEqualTo(1);
    assertThat(c.contains("a")).isTrue();
    assertThat(c.contains("c")).isTrue();
    assertThat(c.contains("x")).isFalse();
    c.remove(W0);
    assertThat(c.contains("a")).isFalse();
    assertThat(c.count(W0)).isZero();
    assertThat(c.count(W1)).isEqualTo(1);
    c.remove(W1);
    assertThat(c.isEmpty()).isTrue();
  }

  @Test
  void aWindowWithManyIdsSwitchesToAHashSetAndKeepsEveryId() {
    WindowCells c = new WindowCells();
    int n = WindowCells.LINEAR_SCAN_LIMIT * 5 + 3;
    for (int i = 0; i < n; i++) {
      assertThat(c.contains("id-" + i)).isFalse();
      assertThat(c.add(W0, "id-" + i)).isEqualTo(i + 1);
    }
    for (int i = 0; i < n; i++) {
      assertThat(c.contains("id-" + i)).as("id-%d", i).isTrue();
    }
    assertThat(c.eventIdsAt(0)).hasSize(n);
  }

  @Test
  void serializerRoundTripsAndCopiesDeeply() throws Exception {
    WindowCells c = new WindowCells();
    for (int i = 0; i < 40; i++) {
      c.add(W0, "x" + i);
    }
    c.add(W1, "y");
    c.addCount(W1 + 60_000, 7); // a window without ids (no dedup)
    WindowCellsSerializer ser = new WindowCellsSerializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    ser.serialize(c, out);
    WindowCells back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.size()).isEqualTo(3);
    assertThat(back.count(W0)).isEqualTo(40);
    assertThat(back.count(W1 + 60_000)).isEqualTo(7);
    assertThat(back.contains("x39")).isTrue();
    assertThat(back.contains("y")).isTrue();
    // counting continues after a restore, dedup included
    assertThat(back.add(W1, "z")).isEqualTo(2);
    assertThat(back.contains("z")).isTrue();

    WindowCells copy = ser.copy(c);
    copy.add(W1, "only-in-copy");
    copy.remove(W0);
    assertThat(c.contains("only-in-copy")).isFalse();
    assertThat(c.count(W0)).isEqualTo(40);
    assertThat(c.count(W1)).isEqualTo(1);
  }

  @Test
  void serializedBytesKeepTheFormatOfEarlierCheckpoints() throws Exception {
    WindowCells c = new WindowCells();
    c.add(W0, uuid(0)); // pairs of longs
    c.add(W0, uuid(1));
    c.add(W1, "plain"); // strings
    c.add(W1, uuid(2));
    for (int i = 0; i < WindowCells.LINEAR_SCAN_LIMIT + 4; i++) { // a hash set of both kinds
      c.add(W1 + 60_000, i % 3 == 0 ? "s" + i : uuid(100 + i));
    }
    c.addCount(W1 + 120_000, 3); // no ids
    WindowCellsSerializer ser = new WindowCellsSerializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    ser.serialize(c, out);
    ser.serialize(c, out); // the scratch buffer is reused: the same bytes again
    byte[] expected = referenceBytes(c);
    byte[] written = out.getCopyOfBuffer();
    assertThat(written).hasSize(2 * expected.length);
    assertThat(java.util.Arrays.copyOfRange(written, 0, expected.length)).isEqualTo(expected);
    assertThat(java.util.Arrays.copyOfRange(written, expected.length, written.length)).isEqualTo(expected);
  }

  /** The format as first written, field by field (checkpoints in this format must stay readable). */
  private static byte[] referenceBytes(WindowCells c) throws java.io.IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeInt(c.size());
    for (int i = 0; i < c.size(); i++) {
      out.writeLong(c.windowStartAt(i));
      out.writeLong(c.countAt(i));
      WindowCells.EventId[] ids = c.eventIdsAt(i);
      if (ids == null) {
        out.writeInt(-1);
        continue;
      }
      out.writeInt(ids.length);
      for (WindowCells.EventId id : ids) {
        if (id.isUuid()) {
          out.writeByte(1);
          out.writeLong(id.hi());
          out.writeLong(id.lo());
        } else {
          byte[] bytes = id.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
          out.writeByte(2);
          out.writeInt(bytes.length);
          out.write(bytes);
        }
      }
    }
    return out.getCopyOfBuffer();
  }

  static String uuid(int i) {
    return new java.util.UUID(0x1234_5678_9abc_def0L + i, i * 31L).toString();
  }

  @Test
  void uuidAndOtherIdsMixInOneWindowBelowAndAboveTheScanLimit() throws Exception {
    WindowCells c = new WindowCells();
    int n = WindowCells.LINEAR_SCAN_LIMIT * 3;
    for (int i = 0; i < n; i++) {
      String id = i == 5 ? "not-a-uuid" : uuid(i);
      assertThat(c.contains(id)).isFalse();
      c.add(W0, id);
      for (int j = 0; j <= i; j++) {
        assertThat(c.contains(j == 5 ? "not-a-uuid" : uuid(j))).as("after %d ids, id %d", i + 1, j).isTrue();
      }
    }
    // only the canonical lowercase form becomes two longs: the upper-case spelling is another id
    assertThat(c.contains(uuid(1).toUpperCase())).isFalse();
    WindowCellsSerializer ser = new WindowCellsSerializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    ser.serialize(c, out);
    WindowCells back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.count(W0)).isEqualTo(n);
    for (int j = 0; j < n; j++) {
      assertThat(back.contains(j == 5 ? "not-a-uuid" : uuid(j))).isTrue();
    }
  }

  @Test
  void removingAMiddleWindowKeepsTheOthersWithTheirIds() {
    WindowCells c = new WindowCells();
    c.add(W0, uuid(0));
    c.add(W1, uuid(1));
    c.add(W1 + 60_000, "x");
    c.add(W1 + 60_000, uuid(2));
    c.remove(W1);
    assertThat(c.size()).isEqualTo(2);
    assertThat(c.contains(uuid(1))).isFalse();
    assertThat(c.contains(uuid(0))).isTrue();
    assertThat(c.contains("x")).isTrue();
    assertThat(c.contains(uuid(2))).isTrue();
    assertThat(c.count(W1 + 60_000)).isEqualTo(2);
    assertThat(c.add(W1, uuid(1))).isEqualTo(1);
  }
}
