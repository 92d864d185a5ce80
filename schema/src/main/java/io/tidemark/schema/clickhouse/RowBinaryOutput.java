package io.tidemark.schema.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes column values in ClickHouse's {@code RowBinary} format onto a stream: the one encoder of
 * the project, shared by the bulk loads ({@link StreamingInsert}) and the speed layer's count
 * sink.
 *
 * <p>Why RowBinary: the server copies fixed-width numbers and dates as they are instead of
 * parsing text (a {@code DateTime} in TabSeparated is parsed and converted from its time zone on
 * every row), and the writer formats nothing and escapes nothing. The format has no names, types
 * or delimiters: values must come in the order and types of the insert's column list. Works on
 * ClickHouse 18.16 and later. Not thread-safe.
 */
public final class RowBinaryOutput {
  private final OutputStream out;
  private final java.util.function.Function<IOException, ? extends RuntimeException> onError;
  private final byte[] scratch = new byte[10];

  /** Writes onto {@code out}, which should be buffered; IO errors surface as {@link UncheckedIOException}. */
  public RowBinaryOutput(OutputStream out) {
    this(out, UncheckedIOException::new);
  }

  /** As {@link #RowBinaryOutput(OutputStream)}, an IO error thrown as what {@code onError} makes of it. */
  public RowBinaryOutput(OutputStream out, java.util.function.Function<IOException, ? extends RuntimeException> onError) {
    this.out = out;
    this.onError = onError;
  }

  /** A {@code String} column: LEB128 length, then the UTF-8 bytes. */
  public RowBinaryOutput writeString(String s) {
    return writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A {@code String} column from bytes already encoded as UTF-8. */
  public RowBinaryOutput writeBytes(byte[] utf8) {
    int n = 0;
    long len = utf8.length;
    do {
      byte b = (byte) (len & 0x7F);
      len >>>= 7;
      scratch[n++] = len != 0 ? (byte) (b | 0x80) : b;
    } while (len != 0);
    write(scratch, n);
    write(utf8, utf8.length);
    return this;
  }

  /** A {@code DateTime} column: seconds since the epoch, UInt32 little-endian. */
  public RowBinaryOutput writeDateTime(long epochSeconds) {
    if (epochSeconds < 0 || epochSeconds > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("DateTime out of range: " + epochSeconds + " s");
    }
    return littleEndian(epochSeconds, 4);
  }

  /** A {@code UInt64} (or {@code Int64}) column, little-endian. */
  public RowBinaryOutput writeUInt64(long v) {
    return littleEndian(v, 8);
  }

  /** An {@code Int8} or {@code Enum8} column (an enum as its numeric value). */
  public RowBinaryOutput writeInt8(int v) {
    if (v < Byte.MIN_VALUE || v > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("Int8 out of range: " + v);
    }
    return littleEndian(v, 1);
  }

  private RowBinaryOutput littleEndian(long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      scratch[i] = (byte) (v >>> (8 * i));
    }
    write(scratch, bytes);
    return this;
  }

  private void write(byte[] b, int n) {
    try {
      out.write(b, 0, n);
    } catch (IOException e) {
      throw onError.apply(e);
    }
  }
}
