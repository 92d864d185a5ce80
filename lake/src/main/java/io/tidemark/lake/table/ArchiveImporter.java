package io.tidemark.lake.table;

import static io.tidemark.lake.table.PageViewTable.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.Types;

/**
 * {@code lake import}: loads historical events from files into the archive table, through the
 * same {@link EventFields} reading as the Kafka path, so an imported line and a Kafka record with
 * the same bytes become the same row (Kafka columns aside).
 *
 * <p>Idempotent per file content: each file is imported in one atomic append whose rows carry the
 * SHA-256 of the file and their line number; a file whose hash is already in the table is skipped,
 * whatever its name. A crash mid-import leaves nothing behind (the append never committed).
 * Lines that break the event contract are archived as invalid rows, like invalid Kafka records,
 * and reported with their line number; they never stop the import. Not safe against two imports
 * of the same file at the same moment (both may pass the check).
 *
 * <p>Formats: JSON Lines ({@code .jsonl}, {@code .ndjson}, {@code .json}), CSV with a header
 * ({@code .csv}; columns event_id, user_id, page_url, timestamp, any others become fields) and
 * Parquet ({@code .parquet}; the four seed columns by name, others ignored; line = row number).
 */
public final class ArchiveImporter {
  /** At most this many rejected lines are listed per file (all are counted). */
  public static final int MAX_LISTED_REJECTIONS = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Progress of one file, in lines. */
  public interface Progress {
    void start(String file, long lines);

    void step(long linesDone);

    void done();
  }

  public record Rejected(long line, String reason, String detail) {}

  public record FileResult(
      String file, String sha256, boolean alreadyImported, long rows, long valid, long invalid,
      long blankLines, List<Rejected> rejected) {}

  private final Table table;
  private final long targetFileSize;

  public ArchiveImporter(Table table, long targetFileSize) {
    this.table = table;
    this.targetFileSize = targetFileSize;
  }

  /**
   * Why {@code file} cannot be imported, or null when it can be opened as the format its name
   * says: missing, a directory, unreadable, an unknown extension, or a {@code .parquet} file
   * without Parquet's {@code PAR1} magic at its start and end. Reads at most 8 bytes.
   */
  public static String unimportable(Path file) {
    if (!java.nio.file.Files.exists(file)) {
      return "no such file";
    }
    if (java.nio.file.Files.isDirectory(file)) {
      return "it is a directory, not a file";
    }
    if (!java.nio.file.Files.isReadable(file)) {
      return "it is not readable (check its permissions)";
    }
    Format format;
    try {
      format = Format.of(file);
    } catch (IllegalArgumentException e) {
      return "unknown format (expected .jsonl, .ndjson, .json, .csv or .parquet)";
    }
    if (format == Format.PARQUET) {
      try (java.nio.channels.SeekableByteChannel ch = java.nio.file.Files.newByteChannel(file)) {
        long size = ch.size();
        if (size < 12) {
          return "not a Parquet file (" + size + " bytes; a Parquet file starts and ends with PAR1)";
        }
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4);
        java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(4);
        ch.read(head);
        ch.position(size - 4).read(tail);
        byte[] magic = "PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!java.util.Arrays.equals(head.array(), magic) || !java.util.Arrays.equals(tail.array(), magic)) {
          return "not a Parquet file (it does not start and end with PAR1)";
        }
      } catch (IOException e) {
        return "it cannot be read: " + e.getMessage();
      }
    }
    return null;
  }

  public FileResult importFile(Path file, Progress progress) throws IOException {
    Format format = Format.of(file);
    Scan scan = scan(file, format);
    table.refresh();
    if (alreadyImported(scan.sha256)) {
      return new FileResult(file.toString(), scan.sha256, true, 0, 0, 0, 0, List.of());
    }
    evolve(scan.extraNames);
    Schema schema = table.schema();
    TaskWriter<Record> writer = ArchiveFileWriters.open(table,
        Map.of(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(targetFileSize)),
        "import-" + scan.sha256.substring(0, 12));
    long rows = 0;
    long valid = 0;
    long invalid = 0;
    long blank = 0;
    List<Rejected> rejected = new ArrayList<>();
    long now = System.currentTimeMillis();
    OffsetDateTime ingest = OffsetDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC);
    String name = file.getFileName().toString();
    if (progress != null) {
      progress.start(name, scan.lines);
    }
    try (Source in = Source.open(file, format)) {
      byte[] bytes;
      while ((bytes = in.next()) != null) {
        long lineNo = in.position();
        if (progress != null && lineNo % 1000 == 0) {
          progress.step(lineNo);
        }
        if (bytes.length == 0) {
          blank++;
          continue;
        }
        EventFields e = EventFields.read(bytes, now);
        GenericRecord r = GenericRecord.create(schema);
        r.setField(EVENT_ID, e.eventId());
        r.setField(USER_ID, e.userId());
        r.setField(PAGE_URL, e.pageUrl());
        r.setField(TIMESTAMP, e.timestamp());
        r.setField(EVENT_TIME, e.eventTimeMs() == null ? null
            : OffsetDateTime.ofInstant(Instant.ofEpochMilli(e.eventTimeMs()), ZoneOffset.UTC));
        r.setField(VALID, e.valid());
        r.setField(INVALID_REASON, e.invalidReason());
        r.setField(INVALID_DETAIL, e.invalidDetail());
        r.setField(RAW_PAYLOAD, e.raw() == null ? null : ByteBuffer.wrap(e.raw()));
        r.setField(INGEST_TIME, ingest);
        r.setField(SOURCE_FILE, name);
        r.setField(SOURCE_HASH, scan.sha256);
        r.setField(SOURCE_LINE, lineNo);
        e.extras().forEach(r::setField);
        writer.write(r);
        rows++;
        if (e.valid()) {
          valid++;
        } else {
          invalid++;
          if (rejected.size() < MAX_LISTED_REJECTIONS) {
            rejected.add(new Rejected(lineNo, e.invalidReason(), e.invalidDetail()));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
    WriteResult written = writer.complete();
    if (rows > 0) {
      AppendFiles append = table.newAppend();
      for (DataFile f : written.dataFiles()) {
        append.appendFile(f);
      }
      append.set("tidemark.import.sha256", scan.sha256);
      append.set("tidemark.import.file", name);
      append.commit();
    }
    if (progress != null) {
      progress.step(scan.lines);
      progress.done();
    }
    return new FileResult(file.toString(), scan.sha256, false, rows, valid, invalid, blank, rejected);
  }

  private boolean alreadyImported(String sha256) throws IOException {
    if (table.currentSnapshot() == null) {
      return false;
    }
    try (CloseableIterable<Record> it = IcebergGenerics.read(table)
        .where(Expressions.equal(SOURCE_HASH, sha256)).select(SOURCE_HASH).build()) {
      for (Record r : it) {
        if (sha256.equals(r.getField(SOURCE_HASH))) {
          return true;
        }
      }
    }
    return false;
  }

  private void evolve(Set<String> extraNames) {
    UpdateSchema update = null;
    for (String n : extraNames) {
      if (table.schema().findField(n) == null) {
        update = update == null ? table.updateSchema() : update;
        update.addColumn(n, Types.StringType.get(), "Added by lake import (unknown event field)");
      }
    }
    if (update != null) {
      update.commit();
      table.refresh();
    }
  }

  private record Scan(String sha256, long lines, Set<String> extraNames) {}

  /** First pass: content hash, line count (for the progress bar) and the unknown fields. */
  private static Scan scan(Path file, Format format) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Set<String> extras = new TreeSet<>();
    long lines = 0;
    try (InputStream raw = new DigestInputStream(Files.newInputStream(file), sha)) {
      raw.transferTo(java.io.OutputStream.nullOutputStream());
    }
    try (Source in = Source.open(file, format)) {
      byte[] bytes;
      while ((bytes = in.next()) != null) {
        lines++;
        if (bytes.length > 0) {
          extras.addAll(EventFields.read(bytes, -1).extras().keySet());
        }
      }
    }
    return new Scan(HexFormat.of().formatHex(sha.digest()), lines, extras);
  }

  enum Format {
    JSONL,
    CSV,
    PARQUET;

    static Format of(Path file) {
      String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
        return JSONL;
      }
      if (n.endsWith(".csv")) {
        return CSV;
      }
      if (n.endsWith(".parquet")) {
        return PARQUET;
      }
      throw new IllegalArgumentException("Cannot import " + file + ": unknown format (expected .jsonl, .ndjson, .json, .csv or .parquet)");
    }
  }

  /**
   * The records of a file as seed-format JSON bytes, one per line or row; an empty array for a
   * blank line; null at the end. {@link #position()} is the line (row) number of the last record.
   */
  private interface Source extends java.io.Closeable {
    byte[] next() throws IOException;

    long position();

    static Source open(Path file, Format format) throws IOException {
      return format == Format.PARQUET ? new ParquetSource(file) : new TextSource(file, format);
    }
  }

  private static final class TextSource implements Source {
    private final BufferedReader in;
    private final List<String> header;
    private long line;

    TextSource(Path file, Format format) throws IOException {
      in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      header = format == Format.CSV ? Csv.split(in.readLine()) : null;
      line = format == Format.CSV ? 1 : 0;
    }

    @Override
    public byte[] next() throws IOException {
      String l = in.readLine();
      if (l == null) {
        return null;
      }
      line++;
      if (l.isBlank()) {
        return new byte[0];
      }
      return header != null ? Csv.toJson(header, Csv.split(l)) : l.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public long position() {
      return line;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * Parquet files of the seed columns (event_id, user_id, page_url as strings, timestamp as a
   * 64-bit integer in epoch ms), matched by column name; other columns are not read.
   */
  private static final class ParquetSource implements Source {
    private static final Schema SEED = new Schema(
        Types.NestedField.optional(1, EVENT_ID, Types.StringType.get()),
        Types.NestedField.optional(2, USER_ID, Types.StringType.get()),
        Types.NestedField.optional(3, PAGE_URL, Types.StringType.get()),
        Types.NestedField.optional(4, TIMESTAMP, Types.LongType.get()));
    private final CloseableIterable<Record> rows;
    private final java.util.Iterator<Record> it;
    private long row;

    ParquetSource(Path file) {
      rows = org.apache.iceberg.parquet.Parquet.read(org.apache.iceberg.Files.localInput(file.toFile()))
          .project(SEED)
          .withNameMapping(org.apache.iceberg.mapping.MappingUtil.create(SEED))
          .createReaderFunc(fs -> org.apache.iceberg.data.parquet.GenericParquetReaders.buildReader(SEED, fs))
          .build();
      it = rows.iterator();
    }

    @Override
    public byte[] next() throws IOException {
      if (!it.hasNext()) {
        return null;
      }
      Record r = it.next();
      row++;
      ObjectNode o = JSON.createObjectNode();
      for (String f : List.of(EVENT_ID, USER_ID, PAGE_URL)) {
        if (r.getField(f) != null) {
          o.put(f, r.getField(f).toString());
        }
      }
      if (r.getField(TIMESTAMP) != null) {
        o.put(TIMESTAMP, (Long) r.getField(TIMESTAMP));
      }
      return JSON.writeValueAsBytes(o);
    }

    @Override
    public long position() {
      return row;
    }

    @Override
    public void close() throws IOException {
      rows.close();
    }
  }

  /** Minimal RFC 4180 CSV: quoted fields with doubled quotes, no line breaks inside fields. */
  static final class Csv {
    private Csv() {}

    static List<String> split(String line) {
      List<String> out = new ArrayList<>();
      if (line == null) {
        return out;
      }
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            cur.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          out.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      out.add(cur.toString());
      return out;
    }

    /** One CSV row as the seed JSON: timestamp as a number when it is one, everything else as text. */
    static byte[] toJson(List<String> header, List<String> values) {
      ObjectNode o = JSON.createObjectNode();
      for (int i = 0; i < header.size() && i < values.size(); i++) {
        String h = header.get(i).trim();
        String v = values.get(i);
        if (h.equals(TIMESTAMP) && v.trim().matches("-?\\d{1,18}")) {
          o.put(h, Long.parseLong(v.trim()));
        } else if (!(v.isEmpty() && !h.equals(EVENT_ID) && !h.equals(USER_ID) && !h.equals(PAGE_URL))) {
          o.put(h, v);
        }
      }
      try {
        return JSON.writeValueAsBytes(o);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
