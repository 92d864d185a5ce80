package io.tidemark.lake.table;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.io.UnpartitionedWriter;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Iceberg's own data writers for the archive table, set up the way Iceberg's Kafka Connect sink
 * (1.10.1) sets up the writer of each task: the table's properties, overlaid with the sink's write
 * properties ({@code iceberg.tables.write-props.*}), choose the file format, its compression and
 * row-group settings and the target file size, and rows fan out to one open file per partition
 * (per event day). {@code lake import} writes through it, and so does the benchmark's writer
 * floor, which must write exactly what the sink writes to say anything about the sink.
 *
 * <p>Not thread-safe: one writer per thread. A writer that fails must be {@link TaskWriter#abort()
 * aborted}, which deletes the files it wrote; files of a completed writer become part of the table
 * only when its caller commits them.
 */
public final class ArchiveFileWriters {
  private ArchiveFileWriters() {}

  /**
   * Opens a writer for the table's current schema and spec.
   *
   * @param writeProperties overrides of the table's properties, as the sink's write properties
   * @param operationId makes file names unique: give every writer open at the same time its own
   */
  public static TaskWriter<Record> open(Table table, Map<String, String> writeProperties, String operationId) {
    Map<String, String> properties = new HashMap<>(table.properties());
    properties.putAll(writeProperties);
    FileFormat format = FileFormat.fromString(properties.getOrDefault(
        TableProperties.DEFAULT_FILE_FORMAT, TableProperties.DEFAULT_FILE_FORMAT_DEFAULT));
    long targetFileSize = PropertyUtil.propertyAsLong(properties,
        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    appenders.setAll(properties);
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.currentTimeMillis())
        .defaultSpec(table.spec()).operationId(operationId).format(format).build();
    if (table.spec().isUnpartitioned()) {
      return new UnpartitionedWriter<>(table.spec(), format, appenders, files, table.io(), targetFileSize);
    }
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    return new PartitionedFanoutWriter<>(table.spec(), format, appenders, files, table.io(), targetFileSize) {
      @Override
      protected PartitionKey partition(Record row) {
        key.partition(wrapper.wrap(row));
        return key;
      }
    };
  }
}
