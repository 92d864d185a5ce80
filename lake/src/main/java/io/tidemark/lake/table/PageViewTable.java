package io.tidemark.lake.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * The layout of the archive table {@code lake.pageview_events}: one row per Kafka record of
 * {@code pageview_events} (or per line of an imported file), valid or not.
 *
 * <p>The parsed fields keep whatever the record carried even when it broke the contract, so the
 * batch layer can re-apply the contract and an analyst can see why a record was rejected; the
 * original bytes are kept where the record is invalid or Avro (a valid JSON record is fully
 * described by its columns; an Avro record's bytes with {@code schema_id} are what the producer
 * wrote, extra fields included). Partitioned by {@code day(event_time)}; {@code event_time} is null when the record
 * has no usable timestamp (not JSON, missing, not positive or beyond year 9999), so those records
 * land in the null partition instead of a made-up day. Every valid record has an event day.
 *
 * <p>Producers may add fields: the transform passes each unknown top-level field (of a JSON object,
 * or of an Avro writer schema, e.g. an evolved schema's {@code referrer}) on as an optional string
 * column (JSON text for non-strings) and the sink adds the column (Iceberg sink schema evolution,
 * {@code iceberg.tables.evolve-schema-enabled}), see {@link #EXTRA_FIELD_PATTERN}; rows written
 * before read null. A table created before {@link #SCHEMA_ID} existed gets that column the same way.
 */
public final class PageViewTable {
  private PageViewTable() {}

  public static final String EVENT_ID = "event_id";
  public static final String USER_ID = "user_id";
  public static final String PAGE_URL = "page_url";
  public static final String TIMESTAMP = "timestamp";
  public static final String EVENT_TIME = "event_time";
  public static final String VALID = "valid";
  public static final String INVALID_REASON = "invalid_reason";
  public static final String INVALID_DETAIL = "invalid_detail";
  public static final String RAW_PAYLOAD = "raw_payload";
  public static final String KAFKA_TOPIC = "kafka_topic";
  public static final String KAFKA_PARTITION = "kafka_partition";
  public static final String KAFKA_OFFSET = "kafka_offset";
  public static final String KAFKA_TIMESTAMP = "kafka_timestamp";
  public static final String INGEST_TIME = "ingest_time";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_HASH = "source_hash";
  public static final String SOURCE_LINE = "source_line";
  public static final String SCHEMA_ID = "schema_id";

  /** Unknown event fields whose names match this become columns; others are ignored. */
  public static final String EXTRA_FIELD_PATTERN = "[a-z][a-z0-9_]{0,63}";

  /** Largest epoch-ms timestamp turned into {@code event_time} (9999-12-31T23:59:59.999Z). */
  public static final long MAX_EVENT_TIME_MS = 253_402_300_799_999L;

  public static final Schema SCHEMA =
      new Schema(
          optional(1, EVENT_ID, Types.StringType.get(), "Event id as sent, also when invalid"),
          optional(2, USER_ID, Types.StringType.get(), "Viewer as sent"),
          optional(3, PAGE_URL, Types.StringType.get(), "Page as sent"),
          optional(4, TIMESTAMP, Types.LongType.get(), "Event time as sent, epoch ms UTC"),
          optional(5, EVENT_TIME, Types.TimestampType.withZone(), "timestamp as a UTC timestamp; null when unusable; partition source"),
          required(6, VALID, Types.BooleanType.get(), "Whether the record meets the event contract"),
          optional(7, INVALID_REASON, Types.StringType.get(), "Stable reason code (core InvalidReason) when invalid"),
          optional(8, INVALID_DETAIL, Types.StringType.get(), "Human-readable detail when invalid"),
          optional(9, RAW_PAYLOAD, Types.BinaryType.get(), "Original record bytes, only when invalid"),
          optional(10, KAFKA_TOPIC, Types.StringType.get(), "Source topic (null for imported rows)"),
          optional(11, KAFKA_PARTITION, Types.IntegerType.get(), "Source partition"),
          optional(12, KAFKA_OFFSET, Types.LongType.get(), "Source offset"),
          optional(13, KAFKA_TIMESTAMP, Types.TimestampType.withZone(), "Kafka record timestamp"),
          required(14, INGEST_TIME, Types.TimestampType.withZone(), "When the archiver processed the record"),
          optional(15, SOURCE_FILE, Types.StringType.get(), "Imported file name (null for Kafka rows)"),
          optional(16, SOURCE_HASH, Types.StringType.get(), "SHA-256 of the imported file's content"),
          optional(17, SOURCE_LINE, Types.LongType.get(), "Line (or row) number in the imported file, from 1"),
          optional(18, SCHEMA_ID, Types.IntegerType.get(), "Registry id of the writer schema of an Avro record (null for JSON)"));

  public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day(EVENT_TIME).build();

  /**
   * Creates the table when it does not exist, and its namespace. Idempotent: an existing table is
   * returned as it is (its schema may have grown by evolution), also when another process created
   * it concurrently.
   */
  public static Table createIfMissing(Catalog catalog, TableIdentifier id, long targetFileSize) {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
      try {
        ns.createNamespace(id.namespace());
      } catch (AlreadyExistsException e) {
        // created concurrently
      }
    }
    if (catalog.tableExists(id)) {
      return catalog.loadTable(id);
    }
    Map<String, String> props =
        Map.of(
            TableProperties.FORMAT_VERSION, "2",
            TableProperties.DEFAULT_FILE_FORMAT, "parquet",
            TableProperties.PARQUET_COMPRESSION, "zstd",
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(targetFileSize),
            TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
            TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "50");
    try {
      return catalog.buildTable(id, SCHEMA).withPartitionSpec(SPEC).withProperties(props).create();
    } catch (AlreadyExistsException e) {
      return catalog.loadTable(id);
    }
  }

  /** {@code namespace.table} from the configuration. */
  public static TableIdentifier identifier(String namespace, String table) {
    return TableIdentifier.of(Namespace.of(namespace), table);
  }
}
