package io.tidemark.batch.job;

import io.tidemark.batch.LatenessHorizon;
import io.tidemark.core.event.EventValidator;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.api.java.UDF8;
import org.apache.spark.sql.types.DataTypes;

/**
 * Core's event contract and metric definitions as Spark SQL functions, so the batch job applies
 * exactly the rules the speed layer applies: each function calls {@code io.tidemark.core}, none
 * re-implements a rule.
 *
 * <ul>
 *   <li>{@code tidemark_invalid_reason(valid, event_id, user_id, page_url, timestamp, arrival_ms,
 *       raw_payload, invalid_reason)}: {@code null} for a valid event, else the {@link
 *       io.tidemark.core.event.InvalidReason} code. Valid lake rows are re-checked with {@link
 *       EventValidator}; invalid ones with their original bytes through {@link PageViewParser}, so
 *       the lake's verdict never outlives a change of the contract.
 *   <li>{@code tidemark_window_start(timestamp)}: {@link Windows#windowStart}.
 *   <li>{@code tidemark_window_day(window_start)}: the UTC day of a window ({@link Windows#day}) as
 *       days since the epoch.
 *   <li>{@code tidemark_too_late_<ms>(window_start, arrival_ms)}: {@link LatenessHorizon#tooLate}.
 *   <li>{@code tidemark_key_user(...)}, {@code tidemark_key_page(...)}: {@link CountMetric#keyOf}.
 * </ul>
 */
public final class CoreRules {
  private CoreRules() {}

  /** The SQL name of a metric's key function. */
  public static String keyFunction(CountMetric metric) {
    return "tidemark_key_" + metric.name().toLowerCase(Locale.ROOT);
  }

  /** The SQL name of the too-late test for a horizon (its value is part of the name). */
  public static String tooLateFunction(LatenessHorizon horizon) {
    return "tidemark_too_late_" + horizon.afterWindowEndMs();
  }

  /** Registers the functions on the session once. Idempotent. */
  public static synchronized void register(SparkSession spark, LatenessHorizon horizon) {
    if (spark.catalog().functionExists(tooLateFunction(horizon))) {
      return;
    }
    spark.udf().register("tidemark_invalid_reason",
        (UDF8<Boolean, String, String, String, Long, Long, byte[], String, String>) CoreRules::invalidReason,
        DataTypes.StringType);
    spark.udf().register("tidemark_window_start", (UDF1<Long, Long>) CoreRules::windowStart, DataTypes.LongType);
    spark.udf().register("tidemark_window_day", (UDF1<Long, Integer>) CoreRules::windowDay, DataTypes.IntegerType);
    spark.udf().register(tooLateFunction(horizon),
        (UDF2<Long, Long, Boolean>) (ws, arrival) -> arrival != null && horizon.tooLate(ws, arrival),
        DataTypes.BooleanType);
    for (CountMetric metric : CountMetric.values()) {
      spark.udf().register(keyFunction(metric),
          (UDF4<String, String, String, Long, String>)
              (id, user, page, ts) -> metric.keyOf(new PageViewEvent(id, user, page, ts)),
          DataTypes.StringType);
    }
  }

  /**
   * {@link Windows#windowStart}, {@code null} for {@code null}: a line imported from a file that
   * did not parse has neither an event time nor a Kafka arrival time, and the job's day filter
   * reads {@code null} as "not this day" (it failed with a NullPointerException before).
   */
  static Long windowStart(Long timestampMs) {
    return timestampMs == null ? null : Windows.windowStart(timestampMs);
  }

  /** The UTC day of a window as days since the epoch, {@code null} for {@code null}. */
  static Integer windowDay(Long windowStartMs) {
    return windowStartMs == null ? null : (int) Windows.day(windowStartMs).toEpochDay();
  }

  /** The contract's verdict on one lake row: {@code null} when valid, else the reason code. */
  static String invalidReason(
      Boolean valid, String eventId, String userId, String pageUrl, Long timestamp,
      Long arrivalMs, byte[] rawPayload, String storedReason) {
    long arrival = arrivalMs == null ? -1L : arrivalMs;
    if (Boolean.TRUE.equals(valid)) {
      ParseResult r = EventValidator.validate(eventId, userId, pageUrl, timestamp, arrival);
      return r instanceof ParseResult.Invalid inv ? inv.reason().code() : null;
    }
    if (rawPayload != null && rawPayload.length > 0) {
      ParseResult r = PageViewParser.parse(rawPayload, arrival);
      if (r instanceof ParseResult.Invalid inv) {
        return inv.reason().code();
      }
      // Valid under today's contract; the row's fields are what the parser read.
      return eventId == null || userId == null || pageUrl == null || timestamp == null
          ? (storedReason == null ? "unknown" : storedReason) : null;
    }
    return storedReason == null ? "unknown" : storedReason;
  }
}
