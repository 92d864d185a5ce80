package io.tidemark.batch.job;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.when;

import io.tidemark.core.metric.LatenessHorizon;
import io.tidemark.core.event.EventValidator;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewParser;
import io.tidemark.core.event.ParseResult;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.api.java.UDF5;
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
 *       the lake's verdict never outlives a change of the contract. Avro rows (Confluent wire
 *       format) count exactly like JSON ones: the lake decoded them with the registry and stored
 *       their contract fields, which a valid row is re-checked on; an invalid Avro row whose fields
 *       could be decoded is re-checked on them too, else its stored reason stands
 *       ({@code unknown-schema}, {@code undecodable-avro}, {@code incompatible-schema}).
 *   <li>{@code tidemark_window_start(timestamp)}: {@link Windows#windowStart}.
 *   <li>{@code tidemark_window_day(window_start)}: the UTC day of a window ({@link Windows#day}) as
 *       days since the epoch.
 *   <li>{@code tidemark_too_late_<ms>(window_start, arrival_ms)}: {@link LatenessHorizon#tooLate}.
 *   <li>{@code tidemark_key_user(...)}, {@code tidemark_key_page(...)}: {@link CountMetric#keyOf}.
 * </ul>
 *
 * <p>{@link #invalidReasonColumn} and {@link #keyColumn} build the per-row expressions the job
 * uses; they keep the cost of a JVM function call (every argument converted to a Java object per
 * row) off the paths where it buys nothing: a valid row is never handed its raw bytes, and a
 * metric whose key core defines as one of the event's fields is read as that column.
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

  /**
   * The contract's verdict on a lake row as a column ({@code null} when valid, else the reason code):
   * {@code tidemark_validate} for rows the lake stored as valid, {@code tidemark_invalid_reason}
   * (the re-parse of the original bytes) for the others, so only those pay for the bytes.
   */
  public static Column invalidReasonColumn(Column valid, Column eventId, Column userId, Column pageUrl,
      Column timestamp, Column arrivalMs, Column rawPayload, Column storedReason) {
    return when(valid.equalTo(true), callUDF("tidemark_validate", eventId, userId, pageUrl, timestamp, arrivalMs))
        .otherwise(callUDF("tidemark_invalid_reason", valid, eventId, userId, pageUrl, timestamp, arrivalMs,
            rawPayload, storedReason));
  }

  /**
   * The key of {@code metric} as a column. When {@link CountMetric#keyOf} is, for a probe event, exactly
   * the event field its {@link CountMetric#keyColumn()} names, the key is that column (no function call
   * per row); otherwise the job calls {@code tidemark_key_<metric>}, which applies {@link
   * CountMetric#keyOf} to every event. Either way core's definition decides.
   */
  public static Column keyColumn(CountMetric metric, Column eventId, Column userId, Column pageUrl, Column timestamp) {
    return switch (keyField(metric)) {
      case "user_id" -> userId;
      case "page_url" -> pageUrl;
      default -> callUDF(keyFunction(metric), eventId, userId, pageUrl, timestamp);
    };
  }

  /** The event field that {@code metric}'s key is, judged on probe events; "" when it is none. */
  static String keyField(CountMetric metric) {
    PageViewEvent a = new PageViewEvent("probe-event-a", "probe-user-a", "/probe-page-a", 1L);
    PageViewEvent b = new PageViewEvent("probe-event-b", "probe-user-b", "/probe-page-b", 2L);
    if ("user_id".equals(metric.keyColumn()) && a.userId().equals(metric.keyOf(a)) && b.userId().equals(metric.keyOf(b))) {
      return "user_id";
    }
    if ("page_url".equals(metric.keyColumn()) && a.pageUrl().equals(metric.keyOf(a)) && b.pageUrl().equals(metric.keyOf(b))) {
      return "page_url";
    }
    return "";
  }

  /** Registers the functions on the session once. Idempotent. */
  public static synchronized void register(SparkSession spark, LatenessHorizon horizon) {
    if (spark.catalog().functionExists(tooLateFunction(horizon))) {
      return;
    }
    spark.udf().register("tidemark_invalid_reason",
        (UDF8<Boolean, String, String, String, Long, Long, byte[], String, String>) CoreRules::invalidReason,
        DataTypes.StringType);
    spark.udf().register("tidemark_validate",
        (UDF5<String, String, String, Long, Long, String>) CoreRules::validReason, DataTypes.StringType);
    spark.udf().register("tidemark_window_start", (UDF1<Long, Long>) CoreRules::windowStart, DataTypes.LongType);
    spark.udf().register("tidemark_window_day", (UDF1<Long, Integer>) CoreRules::windowDay, DataTypes.IntegerType);
    spark.udf().register(tooLateFunction(horizon),
        (UDF2<Long, Long, Boolean>) (ws, arrival) -> ws != null && arrival != null && horizon.tooLate(ws, arrival),
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

  /** The verdict on a row the lake stored as valid: re-checked with {@link EventValidator}. */
  static String validReason(String eventId, String userId, String pageUrl, Long timestamp, Long arrivalMs) {
    ParseResult r = EventValidator.validate(eventId, userId, pageUrl, timestamp, arrivalMs == null ? -1L : arrivalMs);
    return r instanceof ParseResult.Invalid inv ? inv.reason().code() : null;
  }

  /** The contract's verdict on one lake row: {@code null} when valid, else the reason code. */
  static String invalidReason(
      Boolean valid, String eventId, String userId, String pageUrl, Long timestamp,
      Long arrivalMs, byte[] rawPayload, String storedReason) {
    long arrival = arrivalMs == null ? -1L : arrivalMs;
    if (Boolean.TRUE.equals(valid)) {
      return validReason(eventId, userId, pageUrl, timestamp, arrivalMs);
    }
    if (PageViewAvro.isWireFormat(rawPayload)) {
      // Avro: decoding needs the registry, which the lake already asked (waiting out any outage);
      // a record it decoded has its contract fields, which meet today's field rules here.
      return eventId == null || userId == null || pageUrl == null || timestamp == null
          ? (storedReason == null ? "unknown" : storedReason)
          : validReason(eventId, userId, pageUrl, timestamp, arrivalMs);
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
