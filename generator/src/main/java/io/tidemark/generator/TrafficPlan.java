package io.tidemark.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.core.event.EventContract;
import io.tidemark.core.event.InvalidReason;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.event.PageViewJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The deterministic sequence of records a {@link GeneratorSpec} describes, without any I/O.
 *
 * <p>Separate from sending so that tests and benchmarks can generate exactly the same traffic
 * in-process, and so the ground truth is a pure function of the spec. Users and pages are drawn
 * with a skew (a few hot users and pages, a long tail) as in real page-view traffic.
 */
public final class TrafficPlan implements Iterable<GeneratedRecord> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DUPLICATE_POOL = 1024;
  private static final long FAR_FUTURE_MS = 2 * 86_400_000L;

  private final GeneratorSpec spec;
  private final long futureReferenceMs;

  /**
   * @param spec what to generate
   * @param futureReferenceMs wall-clock time the records will be sent around; far-future invalid
   *     records are placed two days after it so they break the future-skew rule on arrival
   */
  public TrafficPlan(GeneratorSpec spec, long futureReferenceMs) {
    this.spec = spec;
    this.futureReferenceMs = futureReferenceMs;
  }

  public GeneratorSpec spec() {
    return spec;
  }

  @Override
  public Iterator<GeneratedRecord> iterator() {
    return new Generator();
  }

  /** Event time of the i-th record before any out-of-order or late shift. */
  long nominalTime(long i) {
    return spec.startTime().toEpochMilli() + (long) Math.floor(i * 1000.0 / spec.rate());
  }

  private final class Generator implements Iterator<GeneratedRecord> {
    private final SplittableRandom random = new SplittableRandom(spec.seed());
    private final long total = spec.totalRecords();
    private final long lateFrom = (long) Math.ceil(total * GeneratorSpec.LATE_WARMUP_SHARE);
    private final List<GeneratedRecord> recent = new ArrayList<>(DUPLICATE_POOL);
    private long next;

    @Override
    public boolean hasNext() {
      return next < total;
    }

    @Override
    public GeneratedRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      long i = next++;
      long now = nominalTime(i);
      double r = random.nextDouble();
      double invalidUpTo = spec.invalidFraction();
      double duplicateUpTo = invalidUpTo + spec.duplicateFraction();
      double lateUpTo = duplicateUpTo + spec.lateFraction();
      if (r < invalidUpTo) {
        return invalid(now);
      }
      if (r < duplicateUpTo && !recent.isEmpty()) {
        GeneratedRecord original = recent.get(random.nextInt(recent.size()));
        return new GeneratedRecord(GeneratedRecord.Kind.DUPLICATE, original.key(),
            original.value(), original.event(), null);
      }
      if (r >= duplicateUpTo && r < lateUpTo && i >= lateFrom) {
        long ts = Math.max(1, now - spec.lateBy().toMillis() - random.nextLong(60_000));
        return valid(GeneratedRecord.Kind.TOO_LATE, ts);
      }
      long shift = spec.outOfOrderMs() == 0 ? 0 : random.nextLong(spec.outOfOrderMs() + 1);
      GeneratedRecord rec = valid(GeneratedRecord.Kind.ON_TIME, now - shift);
      if (recent.size() < DUPLICATE_POOL) {
        recent.add(rec);
      } else {
        recent.set(random.nextInt(DUPLICATE_POOL), rec);
      }
      return rec;
    }

    private GeneratedRecord valid(GeneratedRecord.Kind kind, long ts) {
      PageViewEvent e = new PageViewEvent(eventId(), user(), page(), ts);
      return new GeneratedRecord(kind, e.userId(), PageViewJson.toBytes(e), e, null);
    }

    private String eventId() {
      return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private String user() {
      return "user-" + skewed(spec.users(), 2.0);
    }

    private String page() {
      return "/page/" + skewed(spec.pages(), 1.5);
    }

    private int skewed(int n, double exponent) {
      return Math.min(n - 1, (int) (n * Math.pow(random.nextDouble(), exponent)));
    }

    private GeneratedRecord invalid(long now) {
      String user = user();
      ObjectNode o = JSON.createObjectNode();
      o.put(EventContract.EVENT_ID, eventId());
      o.put(EventContract.USER_ID, user);
      o.put(EventContract.PAGE_URL, page());
      o.put(EventContract.TIMESTAMP, now);
      InvalidReason reason;
      byte[] value = null;
      switch (random.nextInt(7)) {
        case 0 -> {
          reason = InvalidReason.NOT_JSON;
          value = ("<html>not an event " + now + "</html>").getBytes(StandardCharsets.UTF_8);
        }
        case 1 -> {
          reason = InvalidReason.MISSING_FIELD;
          o.remove(EventContract.USER_ID);
        }
        case 2 -> {
          reason = InvalidReason.EMPTY_FIELD;
          o.put(EventContract.PAGE_URL, "");
        }
        case 3 -> {
          reason = InvalidReason.TIMESTAMP_NOT_POSITIVE;
          o.put(EventContract.TIMESTAMP, -now);
        }
        case 4 -> {
          reason = InvalidReason.WRONG_TYPE;
          o.put(EventContract.TIMESTAMP, Long.toString(now));
        }
        case 5 -> {
          reason = InvalidReason.FIELD_TOO_LONG;
          o.put(EventContract.PAGE_URL, "/long/" + "x".repeat(EventContract.MAX_PAGE_URL_LENGTH));
        }
        default -> {
          reason = InvalidReason.TIMESTAMP_IN_FUTURE;
          o.put(EventContract.TIMESTAMP, Math.max(now, futureReferenceMs) + FAR_FUTURE_MS);
        }
      }
      if (value == null) {
        value = o.toString().getBytes(StandardCharsets.UTF_8);
      }
      return new GeneratedRecord(GeneratedRecord.Kind.INVALID, user, value, null, reason);
    }
  }
}
