package io.tidemark.schema.registry;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.registry.RegisteredSchema;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.core.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the events topic's subject ({@code tidemark.schema-registry.subject}) to this build:
 * every {@link ReaderSchema} registered, oldest first, then the subject's compatibility level set
 * to {@code tidemark.schema-registry.compatibility}.
 *
 * <p><b>Idempotent</b>: a schema the subject already holds is found by a lookup and not registered
 * again, and the level is only written when it differs, so a second {@link #migrate()} changes
 * nothing and reports so. The registry itself is the record of what was applied (it versions the
 * subject), so there is no history table. <b>Crash-safe</b>: a run that dies between two requests
 * leaves a prefix applied, and the next run does the rest; a registration whose answer was lost
 * may have happened, and repeating it returns the same id. <b>Guarded</b>: a reader schema the
 * subject's current level refuses (producers registered something Tidemark cannot follow) fails
 * with a {@link RegistryRefusedException} naming the level and the registry's reason; schemas
 * before it stay registered, the level is not changed.
 */
public final class SubjectMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SubjectMigrator.class);

  private final SchemaRegistryClient client;
  private final String subject;
  private final String level;
  private final List<ReaderSchema> schemas;

  /**
   * @param level one of {@link SchemaRegistryClient#LEVELS}, any case
   * @throws ConfigException when the level is unknown
   */
  public SubjectMigrator(SchemaRegistryClient client, String subject, String level, List<ReaderSchema> schemas) {
    this.client = client;
    this.subject = subject;
    this.level = checkedLevel(level);
    this.schemas = List.copyOf(schemas);
  }

  /** A migrator for Tidemark's reader schemas with the configured subject and level. */
  public static SubjectMigrator fromConfig(TidemarkConfig cfg) {
    String subject = cfg.get(SchemaRegistryOptions.SUBJECT);
    if (subject == null || subject.isBlank()) {
      throw new ConfigException("Property " + SchemaRegistryOptions.SUBJECT.key() + " must not be empty");
    }
    return new SubjectMigrator(SchemaRegistryClient.fromConfig(cfg), subject, cfg.get(SchemaRegistryOptions.COMPATIBILITY), ReaderSchema.all());
  }

  /** The level validated against the Confluent API's names, upper case. */
  static String checkedLevel(String level) {
    String upper = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
    if (!SchemaRegistryClient.LEVELS.contains(upper)) {
      throw new ConfigException("Unknown compatibility level '" + level + "' in " + SchemaRegistryOptions.COMPATIBILITY.key()
          + " (" + SchemaRegistryOptions.COMPATIBILITY.envName() + "): use one of " + String.join(", ", new TreeSet<>(SchemaRegistryClient.LEVELS)));
    }
    return upper;
  }

  /** What a run did to one reader schema. */
  public record SchemaOutcome(int version, String name, int subjectVersion, int id, boolean registered) {}

  /**
   * What a run did to the subject.
   *
   * @param url the registry migrated
   * @param subject the subject
   * @param level the compatibility level now in force on the subject
   * @param levelChanged whether this run set it
   * @param previousLevel the level before this run (the registry's global one if the subject had
   *     none)
   * @param schemas one outcome per reader schema, oldest first
   */
  public record Report(String url, String subject, String level, boolean levelChanged, String previousLevel, List<SchemaOutcome> schemas) {
    public Report {
      schemas = List.copyOf(schemas);
    }

    /** Whether this run registered a schema or changed the level. */
    public boolean changedAnything() {
      return levelChanged || schemas.stream().anyMatch(SchemaOutcome::registered);
    }
  }

  /**
   * Registers the missing reader schemas, then sets the level.
   *
   * @throws RegistryUnavailableException when the registry does not answer (retryable)
   * @throws RegistryRefusedException when it refuses a schema or the level (not retryable)
   */
  public Report migrate() {
    List<SchemaOutcome> outcomes = new ArrayList<>();
    for (ReaderSchema s : schemas) {
      Optional<RegisteredSchema> existing = call(() -> client.lookup(subject, s.schema()), "look up reader schema " + s.version());
      if (existing.isPresent()) {
        outcomes.add(new SchemaOutcome(s.version(), s.name(), existing.get().version(), existing.get().id(), false));
        continue;
      }
      int id = call(() -> client.register(subject, s.schema()), "register reader schema " + s.version() + " (" + s.name() + ")");
      RegisteredSchema now = call(() -> client.lookup(subject, s.schema()), "look up reader schema " + s.version())
          .orElseThrow(() -> new RegistryRefusedException(
              "Schema registry at " + client.url() + " returned id " + id + " for reader schema " + s.version()
                  + " under " + subject + " but does not find it there", null));
      LOG.info("Registered reader schema {} under {} as version {} (id {})", s.version(), subject, now.version(), now.id());
      outcomes.add(new SchemaOutcome(s.version(), s.name(), now.version(), now.id(), true));
    }
    String before = call(() -> client.compatibilityLevel(subject), "read the compatibility level");
    boolean change = !level.equalsIgnoreCase(before);
    if (change) {
      call(() -> {
        client.setCompatibilityLevel(subject, level);
        return null;
      }, "set the compatibility level to " + level);
      LOG.info("Set compatibility of {} to {} (was {})", subject, level, before);
    }
    return new Report(client.url(), subject, level, change, before, outcomes);
  }

  private <T> T call(Supplier<T> request, String what) {
    try {
      return request.get();
    } catch (SchemaRegistryException.Incompatible e) {
      throw new RegistryRefusedException("Cannot " + what + " under subject " + subject
          + ": the registry refuses it as incompatible with the subject's versions (" + e.getMessage()
          + "); check the producers' schema with ./tidemark schema check", e);
    } catch (SchemaRegistryException e) {
      if (e.isRetryable()) {
        throw new RegistryUnavailableException(
            "Cannot " + what + " under subject " + subject + ": " + e.getMessage() + " (check "
                + SchemaRegistryOptions.URL.key() + " / " + SchemaRegistryOptions.URL.envName() + ", or run ./tidemark stack up)", e);
      }
      throw new RegistryRefusedException("Cannot " + what + " under subject " + subject + ": " + e.getMessage(), e);
    }
  }
}
