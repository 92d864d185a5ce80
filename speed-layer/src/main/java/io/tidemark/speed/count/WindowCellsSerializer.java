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
 * and the ids as length-prefixed UTF-8.
 */
public final class WindowCellsSerializer extends TypeSerializer<WindowCells> {
  private static final long serialVersionUID = 1L;

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
      out.writeLong(cells.windowStart(i));
      out.writeLong(cells.countAt(i));
      String[] ids = cells.idsAt(i);
      if (ids == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(ids.length);
        for (String id : ids) {
          byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
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
      String[] ids = null;
      if (idCount >= 0) {
        ids = new String[idCount];
        for (int j = 0; j < idCount; j++) {
          byte[] bytes = new byte[in.readInt()];
          in.readFully(bytes);
          ids[j] = new String(bytes, StandardCharsets.UTF_8);
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
