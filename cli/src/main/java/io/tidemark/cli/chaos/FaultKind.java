package io.tidemark.cli.chaos;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The faults {@code ./tidemark chaos} injects, each named by the code {@code --faults} takes.
 *
 * <p>Every fault is one a production deployment meets: a process killed without warning (the OOM
 * killer, a node lost) and restarted the way its operator would, or a dependency unavailable for a
 * while. None needs a hook in the code under test.
 */
public enum FaultKind {
  /** {@code kill -9} of the speed layer's JVM, then {@code speed run} again. */
  SPEED_KILL("speed-kill", "kill -9 of the speed layer (Flink), restarted"),
  /** {@code kill -9} of the Kafka Connect worker, then {@code lake run} again. */
  CONNECT_KILL("connect-kill", "kill -9 of the Kafka Connect worker (lake archive), restarted"),
  /** {@code kill -9} of the Kafka broker, then {@code stack up}. */
  KAFKA_KILL("kafka-kill", "kill -9 of the Kafka broker, restarted"),
  /** ClickHouse down for a while (up to 60 s, scaled to the run), then {@code stack up}. */
  CLICKHOUSE_STOP("clickhouse-stop", "ClickHouse down for up to 60 s, restarted"),
  /** {@code kill -9} of ClickHouse while an INSERT is running, restarted at once. */
  CLICKHOUSE_KILL("clickhouse-kill", "kill -9 of ClickHouse mid-insert, restarted"),
  /** The S3-compatible object store down for a few seconds. */
  S3_OUTAGE("s3-outage", "object store (s3proxy) down briefly, restarted"),
  /** The Iceberg catalog database locked by another writer for a few seconds. */
  CATALOG_LOCK("catalog-lock", "Iceberg catalog locked for writes briefly"),
  /** The nightly reconcile killed between stage and replace, then run again. */
  RECONCILE_KILL("reconcile-kill", "reconcile killed between stage and replace, rerun");

  private final String code;
  private final String description;

  FaultKind(String code, String description) {
    this.code = code;
    this.description = description;
  }

  public String code() {
    return code;
  }

  public String description() {
    return description;
  }

  /** Faults that strike while traffic streams (all but {@link #RECONCILE_KILL}). */
  public boolean duringStream() {
    return this != RECONCILE_KILL;
  }

  /** Whether this fault takes ClickHouse away (serving is probed while it lasts). */
  public boolean clickHouseDown() {
    return this == CLICKHOUSE_STOP || this == CLICKHOUSE_KILL;
  }

  /** Every code, comma-separated, for usage messages. */
  public static String codes() {
    List<String> all = new ArrayList<>();
    for (FaultKind k : values()) {
      all.add(k.code);
    }
    return String.join(",", all);
  }

  /**
   * Parses a {@code --faults} value: a comma list of codes, or {@code all}.
   *
   * @throws IllegalArgumentException with a one-line message naming the bad code and the valid ones
   */
  public static Set<FaultKind> parseList(String list) {
    if (list == null || list.isBlank() || list.trim().equalsIgnoreCase("all")) {
      return EnumSet.allOf(FaultKind.class);
    }
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    for (String raw : list.split(",", -1)) {
      String code = raw.trim().toLowerCase(Locale.ROOT);
      FaultKind found = null;
      for (FaultKind k : values()) {
        if (k.code.equals(code)) {
          found = k;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException("Unknown fault kind '" + raw.trim() + "' in --faults; valid: all or a comma list of "
            + codes());
      }
      kinds.add(found);
    }
    return kinds;
  }
}
