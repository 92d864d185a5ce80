package io.tidemark.core.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * The writer schemas of Avro records by registry id, each resolved once against Tidemark's reader
 * schema ({@link PageViewAvro#SCHEMA}) and cached, so steady state makes no registry call per
 * record.
 *
 * <p>Resolution reads the contract fields with Avro's schema-resolution rules (int promoted to
 * long, and so on) and keeps every other field of the writer schema as it was written, so a
 * producer that adds an optional field (e.g. {@code referrer}) is still decoded and the lake can
 * archive the new field. A writer schema the reader schema cannot read is {@link
 * Resolved.Incompatible}, an id the registry does not know {@link Resolved.Unknown} (cached for
 * {@link #UNKNOWN_RECHECK}, so a schema registered later is found), both verdicts on the record.
 *
 * <p>A registry that cannot answer is not a verdict: {@link #resolve} waits and retries with
 * exponential backoff (from {@link #INITIAL_BACKOFF} up to the configured maximum) for as long
 * as it takes, telling the {@link Listener} (metrics, logs), so the calling layer is held back
 * instead of dead-lettering valid events. Thread-safe.
 *
 * <pre>{@code
 * WriterSchemas schemas = WriterSchemas.builder().source(registryClient::schemaById)
 *     .maxBackoff(Duration.ofSeconds(10)).listener(metrics).build();
 * ParseResult r = PageViewParser.parse(bytes, kafkaTimestamp, schemas, null);
 * }</pre>
 */
public final class WriterSchemas {
  /** First wait after a failed lookup; doubled after each further failure. */
  public static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);

  /** How long an id the registry did not know stays unknown before it is asked again. */
  public static final Duration UNKNOWN_RECHECK = Duration.ofSeconds(30);

  /** What {@link #resolve} found for one id. */
  public sealed interface Resolved permits Resolved.Known, Resolved.Unknown, Resolved.Incompatible {
    int id();

    /**
     * A usable writer schema.
     *
     * @param reader reads the writer's bytes into a record of the contract fields plus {@code extraFields}
     * @param extraFields the writer's fields the reader schema does not have, in writer order
     */
    record Known(int id, Schema writer, GenericDatumReader<GenericRecord> reader, List<String> extraFields)
        implements Resolved {}

    /** The registry answered that it has no schema with this id. */
    record Unknown(int id, long checkedAtMs) implements Resolved {}

    /** The writer schema exists but cannot be read as the contract. */
    record Incompatible(int id, String detail) implements Resolved {}
  }

  /** Told about lookups that wait for the registry; called on the thread that waits. */
  public interface Listener {
    /** A lookup of {@code id} failed for the {@code attempt}-th time; the next try is after {@code backoff}. */
    default void waiting(int id, int attempt, Duration backoff, String cause) {}

    /** A lookup that had failed got its answer after {@code waited}. */
    default void recovered(int id, Duration waited) {}

    /** Every call of {@code source} (hits of the cache make none). */
    default void lookedUp(int id) {}
  }

  /** Sleeps for a duration; tests pass one that does not. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final WriterSchemaSource source;
  private final Duration maxBackoff;
  private final Listener listener;
  private final Sleeper sleeper;
  private final LongSupplier clock;
  private final Map<Integer, Resolved> cache = new ConcurrentHashMap<>();

  private WriterSchemas(Builder b) {
    this.source = b.source;
    this.maxBackoff = b.maxBackoff;
    this.listener = b.listener;
    this.sleeper = b.sleeper;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The resolved writer schema of {@code id}, from the cache or the source; blocks, retrying,
   * while the source is unavailable.
   *
   * @throws RegistryWaitInterruptedException when the thread is interrupted while waiting (the
   *     layer is being stopped); the interrupt flag is set again
   */
  public Resolved resolve(int id) {
    Resolved r = cache.get(id);
    if (r != null && !(r instanceof Resolved.Unknown u && clock.getAsLong() - u.checkedAtMs() >= UNKNOWN_RECHECK.toMillis())) {
      return r;
    }
    Resolved fresh = fetch(id);
    cache.put(id, fresh);
    return fresh;
  }

  /** How many ids are cached (known, unknown or incompatible). */
  public int cachedIds() {
    return cache.size();
  }

  private Resolved fetch(int id) {
    Optional<String> text = lookUpWithRetry(id);
    if (text.isEmpty()) {
      return new Resolved.Unknown(id, clock.getAsLong());
    }
    return resolveAgainstContract(id, text.get());
  }

  private Optional<String> lookUpWithRetry(int id) {
    Duration backoff = INITIAL_BACKOFF;
    long start = clock.getAsLong();
    for (int attempt = 1; ; attempt++) {
      try {
        listener.lookedUp(id);
        Optional<String> text = source.schemaById(id);
        if (attempt > 1) {
          listener.recovered(id, Duration.ofMillis(clock.getAsLong() - start));
        }
        return text;
      } catch (SchemaRegistryUnavailableException e) {
        listener.waiting(id, attempt, backoff, e.getMessage());
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new RegistryWaitInterruptedException(
              "Interrupted while waiting for the schema registry to answer for schema id " + id);
        }
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
      }
    }
  }

  /** Resolves one writer schema against the contract; public for tests and tools. */
  public static Resolved resolveAgainstContract(int id, String writerText) {
    Schema writer;
    try {
      writer = new Schema.Parser().setValidateDefaults(false).parse(writerText);
    } catch (SchemaParseException | NullPointerException e) {
      return new Resolved.Incompatible(id, "schema id " + id + " is not an Avro schema: " + e.getMessage());
    }
    if (writer.getType() != Schema.Type.RECORD) {
      return new Resolved.Incompatible(id, "schema id " + id + " is a " + writer.getType().getName()
          + ", not a record with the fields of " + PageViewAvro.SCHEMA.getName());
    }
    // The reader: the contract's fields, then the writer's own other fields as they are; named
    // like the writer, since Tidemark cares about the fields, not what the producer calls the record.
    List<Schema.Field> fields = new ArrayList<>();
    List<String> extras = new ArrayList<>();
    for (Schema.Field f : PageViewAvro.SCHEMA.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    for (Schema.Field f : writer.getFields()) {
      if (PageViewAvro.SCHEMA.getField(f.name()) == null) {
        fields.add(new Schema.Field(f, f.schema()));
        extras.add(f.name());
      }
    }
    Schema reader = Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), false, fields);
    SchemaCompatibility.SchemaPairCompatibility compat =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      SchemaCompatibility.Incompatibility first = compat.getResult().getIncompatibilities().get(0);
      return new Resolved.Incompatible(id, "schema id " + id + " cannot be read as " + PageViewAvro.SCHEMA.getName()
          + ": " + first.getType().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
          + " at " + fieldAt(reader, first.getLocation()) + " (" + first.getMessage() + ")");
    }
    return new Resolved.Known(id, writer, new GenericDatumReader<>(writer, reader), List.copyOf(extras));
  }

  /** "field page_url" for a location "/fields/2/...", else the location as it is. */
  private static String fieldAt(Schema reader, String location) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^/fields/(\\d+)").matcher(location);
    if (m.find()) {
      int i = Integer.parseInt(m.group(1));
      if (i < reader.getFields().size()) {
        return "field " + reader.getFields().get(i).name();
      }
    }
    return location;
  }

  /** Thrown by {@link #resolve} when the waiting thread is interrupted. */
  public static final class RegistryWaitInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RegistryWaitInterruptedException(String message) {
      super(message);
    }
  }

  /** Builder; {@code source} is required. */
  public static final class Builder {
    private WriterSchemaSource source;
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Listener listener = new Listener() {};
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private LongSupplier clock = System::currentTimeMillis;

    public Builder source(WriterSchemaSource v) { source = v; return this; }
    /** Longest wait between two lookups while the registry cannot answer. */
    public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
    public Builder listener(Listener v) { listener = v; return this; }
    public Builder sleeper(Sleeper v) { sleeper = v; return this; }
    public Builder clock(LongSupplier v) { clock = v; return this; }

    public WriterSchemas build() {
      Objects.requireNonNull(source, "Property source is required but not provided");
      Objects.requireNonNull(maxBackoff, "Property maxBackoff is required but not provided");
      if (maxBackoff.compareTo(INITIAL_BACKOFF) < 0) {
        maxBackoff = INITIAL_BACKOFF;
      }
      return new WriterSchemas(this);
    }
  }
}
