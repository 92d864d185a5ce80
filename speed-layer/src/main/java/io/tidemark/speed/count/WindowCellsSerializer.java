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

  /** Scratch space of {@link #serialize}: one serializer instance per thread, see {@link #duplicate}. */
  private transient java.nio.ByteBuffer scratch;

  @Override
  public TypeSerializer<WindowCells> duplicate() {
    // stateful (the scratch buffer): Flink hands each thread its own duplicate
    return new WindowCellsSerializer();
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

  /**
   * Writes the value into a scratch buffer, straight from the cells' arrays, then to {@code out}
   * in one call: checkpoint streams cost a chain of virtual calls per byte written (an int is four),
   * and the heap backend's snapshot writes every user's value this way, so per-field writes and a
   * temporary object per id made the snapshot slow enough to double the state in memory (the
   * copy-on-write copies of every value touched while it runs).
   */
  @Override
  public void serialize(WindowCells cells, DataOutputView out) throws IOException {
    if (scratch != null) {
      scratch.clear();
    }
    java.nio.ByteBuffer b = scratch(64);
    int n = cells.size();
    b.putInt(n);
    for (int i = 0; i < n; i++) {
      int count = (int) cells.countAt(i);
      b = scratch(20);
      b.putLong(cells.windowStartAt(i));
      b.putLong(cells.countAt(i));
      Object ids = cells.idsAt(i);
      if (ids == null) {
        b.putInt(-1);
      } else if (ids instanceof long[] pairs) {
        b.putInt(count);
        b = scratch(count * 17);
        for (int j = 0; j < count; j++) {
          b.put(UUID_ID);
          b.putLong(pairs[2 * j]);
          b.putLong(pairs[2 * j + 1]);
        }
      } else if (ids instanceof String[] texts) {
        b.putInt(count);
        for (int j = 0; j < count; j++) {
          writeId(WindowCells.EventId.of(texts[j]));
        }
      } else {
        java.util.Set<?> set = (java.util.Set<?>) ids;
        b.putInt(set.size());
        for (Object id : set) {
          if (id instanceof WindowCells.Uuid u) {
            b = scratch(17);
            b.put(UUID_ID);
            b.putLong(u.hi());
            b.putLong(u.lo());
          } else {
            writeId(WindowCells.EventId.of((String) id));
          }
        }
      }
    }
    out.write(scratch.array(), 0, scratch.position());
    scratch.clear();
  }

  private void writeId(WindowCells.EventId id) {
    if (id.isUuid()) {
      java.nio.ByteBuffer b = scratch(17);
      b.put(UUID_ID);
      b.putLong(id.hi());
      b.putLong(id.lo());
    } else {
      byte[] bytes = id.text().getBytes(StandardCharsets.UTF_8);
      java.nio.ByteBuffer b = scratch(5 + bytes.length);
      b.put(STRING_ID);
      b.putInt(bytes.length);
      b.put(bytes);
    }
  }

  /** The scratch buffer with room for {@code more} bytes after its position. */
  private java.nio.ByteBuffer scratch(int more) {
    if (scratch == null) {
      scratch = java.nio.ByteBuffer.allocate(Math.max(1024, more * 2));
    } else if (scratch.remaining() < more) {
      java.nio.ByteBuffer bigger = java.nio.ByteBuffer.allocate(Math.max(scratch.capacity() * 2, scratch.position() + more));
      scratch.flip();
      bigger.put(scratch);
      scratch = bigger;
    }
    return scratch;
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
