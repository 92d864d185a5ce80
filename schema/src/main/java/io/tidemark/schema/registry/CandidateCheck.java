package io.tidemark.schema.registry;

import io.tidemark.core.registry.Compatibility;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.core.registry.SchemaRegistryException;
import io.tidemark.core.config.SchemaRegistryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Whether a candidate producer schema may be deployed: {@code ./tidemark schema check}.
 *
 * <p>Two gates, both must pass. (1) The registry's own verdict under the subject's compatibility
 * level ({@code POST /compatibility/subjects/{subject}/versions/latest}), i.e. whether a producer
 * registering it would be accepted. (2) Tidemark's {@link ReaderSchema#latest() reader schema} can
 * read records written with it (Avro schema resolution, reader = Tidemark, writer = candidate),
 * i.e. whether the layers would still decode its records. The second gate matters because the
 * registry's default level, BACKWARD, only protects readers that upgrade first: it accepts a
 * candidate that drops {@code page_url}, whose records Tidemark could not count.
 *
 * <p>The registry decides gate (1); when it gives no reason (Apicurio's Confluent API does not),
 * the reason is worked out with Avro's own compatibility rules for the subject's level. Changes
 * nothing in the registry.
 */
public final class CandidateCheck {
  private final SchemaRegistryClient client;
  private final String subject;
  private final Schema reader;

  public CandidateCheck(SchemaRegistryClient client, String subject, Schema reader) {
    this.client = client;
    this.subject = subject;
    this.reader = reader;
  }

  /**
   * The verdict on one candidate.
   *
   * @param subject the subject checked against
   * @param level the subject's compatibility level
   * @param latestVersion the subject's newest version, 0 when it has none
   * @param registryCompatible gate (1)
   * @param readerCompatible gate (2)
   * @param reason one line: why it is incompatible, or what was checked when it is compatible
   */
  public record Result(String subject, String level, int latestVersion, boolean registryCompatible, boolean readerCompatible, String reason) {
    public boolean compatible() {
      return registryCompatible && readerCompatible;
    }
  }

  /**
   * Checks a parsed candidate.
   *
   * @throws RegistryUnavailableException when the registry does not answer
   * @throws RegistryRefusedException when the registry cannot parse the candidate
   */
  public Result check(Schema candidate) {
    String text = candidate.toString();
    try {
      String level = client.compatibilityLevel(subject).toUpperCase(Locale.ROOT);
      List<Integer> versions = versions();
      int latest = versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
      Compatibility verdict = client.compatibility(subject, text);
      String readerProblem = problem(SchemaCompatibility.checkReaderWriterCompatibility(reader, candidate));
      List<String> reasons = new ArrayList<>();
      if (!verdict.compatible()) {
        String why = !verdict.messages().isEmpty() ? String.join("; ", verdict.messages()) : localReason(level, candidate, versions);
        reasons.add("the registry refuses it as version " + (latest + 1) + " of " + subject + " under " + level + (why == null ? "" : ": " + why));
      }
      if (readerProblem != null) {
        reasons.add("Tidemark's reader schema cannot read its records: " + readerProblem);
      }
      String reason = reasons.isEmpty()
          ? (latest == 0 ? subject + " has no versions yet" : "accepted as version " + (latest + 1) + " of " + subject + " under " + level)
              + ", and Tidemark's reader schema reads its records"
          : String.join("; ", reasons);
      return new Result(subject, level, latest, verdict.compatible(), readerProblem == null, reason);
    } catch (SchemaRegistryException e) {
      if (e.isRetryable()) {
        throw new RegistryUnavailableException(e.getMessage() + " (check " + SchemaRegistryOptions.URL.key() + " / "
            + SchemaRegistryOptions.URL.envName() + ", or run ./tidemark stack up)", e);
      }
      throw new RegistryRefusedException(e.getMessage(), e);
    }
  }

  private List<Integer> versions() {
    try {
      return client.versions(subject);
    } catch (SchemaRegistryException.NotFound e) {
      return List.of();
    }
  }

  /** A reason from Avro's rules for {@code level}, or null when they find none. */
  private String localReason(String level, Schema candidate, List<Integer> versions) {
    if (versions.isEmpty()) {
      return null;
    }
    List<Integer> against = level.endsWith("_TRANSITIVE") ? versions : List.of(versions.get(versions.size() - 1));
    for (int v : against) {
      Schema old = new Schema.Parser().parse(client.version(subject, v).schema());
      String p = null;
      if (level.startsWith("BACKWARD") || level.startsWith("FULL")) {
        p = problem(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old));
      }
      if (p == null && (level.startsWith("FORWARD") || level.startsWith("FULL"))) {
        p = problem(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate));
        p = p == null ? null : "version " + v + " cannot read its records: " + p;
      } else if (p != null) {
        p = "it cannot read records of version " + v + ": " + p;
      }
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /** The first incompatibility as "what (where)", or null when compatible. */
  static String problem(SchemaPairCompatibility pair) {
    if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return null;
    }
    List<Incompatibility> all = pair.getResult().getIncompatibilities();
    if (all.isEmpty()) {
      return pair.getDescription();
    }
    Incompatibility first = all.get(0);
    String what = switch (first.getType()) {
      case READER_FIELD_MISSING_DEFAULT_VALUE -> "field " + first.getMessage() + " is missing and has no default";
      case TYPE_MISMATCH -> first.getMessage();
      case NAME_MISMATCH -> "record name differs: " + first.getMessage();
      case MISSING_UNION_BRANCH -> "union branch missing: " + first.getMessage();
      case MISSING_ENUM_SYMBOLS -> "enum symbols missing: " + first.getMessage();
      case FIXED_SIZE_MISMATCH -> "fixed size differs: " + first.getMessage();
    };
    return what + " at " + first.getLocation() + (all.size() > 1 ? " (+" + (all.size() - 1) + " more)" : "");
  }
}
