package io.tidemark.speed.count;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Hand-written serializer of {@link WindowCells}: Flink's generic fallback (Kryo) would serialize
 * the arrays and sets reflectively, slower and with a format that changes with the class. Format:
 * number of windows, then per window its start, count, number of ids (-1 when not deduplicating)
 * and the ids, each a tag then two longs (canonical UUID) or length-prefixed UTF-8.
 */
public final class WindowCellsSerializer extends TypeSerializer<WindowCells> {
  private static final long serialVersionUID = 1L;
  private static final byte UUID_ID = 1;
  private static final byte STRING_ID = 2;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<WindowCells> duplicate() {
    return this; // stateless
  }

  @Override
  public WindowCells createInstance() {
    return new WindowCells();
  }

  @Override
  public WindowCells copy(WindowCells from) {
    return from.copy();
  }

  @Override
  public WindowCells copy(WindowCells from, WindowCells reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(WindowCells cells, DataOutputView out) throws IOException {
    int n = cells.size();
    out.writeInt(n);
    for (int i = 0; i < n; i++) {
      out.writeLong(cells.windowStartAt(i));
      out.writeLong(cells.countAt(i));
      WindowCells.EventId[] ids = cells.eventIdsAt(i);
      if (ids == null) {
        out.writeInt(-1);
        continue;
      }
      out.writeInt(ids.length);
      for (WindowCells.EventId id : ids) {
        if (id.isUuid()) {
          out.writeByte(UUID_ID);
          out.writeLong(id.hi());
          out.writeLong(id.lo());
        } else {
          byte[] bytes = id.text().getBytes(StandardCharsets.UTF_8);
          out.writeByte(STRING_ID);
          out.writeInt(bytes.length);
          out.write(bytes); // one bulk write: checkpoint streams are slow per byte
        }
      }
    }
  }

  @Override
  public WindowCells deserialize(DataInputView in) throws IOException {
    WindowCells cells = new WindowCells();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      long windowStart = in.readLong();
      long count = in.readLong();
      int idCount = in.readInt();
      WindowCells.EventId[] ids = null;
      if (idCount >= 0) {
        ids = new WindowCells.EventId[idCount];
        for (int j = 0; j < idCount; j++) {
          byte tag = in.readByte();
          if (tag == UUID_ID) {
            ids[j] = new WindowCells.EventId(null, true, in.readLong(), in.readLong());
          } else if (tag == STRING_ID) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            ids[j] = WindowCells.EventId.of(new String(bytes, StandardCharsets.UTF_8));
          } else {
            throw new IOException("Corrupt window-cells state: id tag " + tag);
          }
        }
      }
      cells.append(windowStart, count, ids);
    }
    return cells;
  }

  @Override
  public WindowCells deserialize(WindowCells reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof WindowCellsSerializer;
  }

  @Override
  public int hashCode() {
    return WindowCellsSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<WindowCells> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Compatibility snapshot: the format has one version so far. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowCells> {
    public Snapshot() {
      super(WindowCellsSerializer::new);
    }
  }
}
