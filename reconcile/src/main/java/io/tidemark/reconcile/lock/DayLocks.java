package io.tidemark.reconcile.lock;

import io.tidemark.core.metric.Windows;
import io.tidemark.reconcile.ReconcileException;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Per-day locks for reconciliation, kept in ClickHouse's {@code reconcile_locks} next to {@code
 * day_status}, so that two {@code reconcile}/{@code backfill} runs on any machines never replace the
 * same day at the same time.
 *
 * <h2>Why this protocol</h2>
 * ClickHouse 18.16 has no transactions, no compare-and-set and no unique keys; what it does give is
 * that a row inserted (synchronous insert) is visible to every later query on the server. So a claim
 * works like this: (1) read the day's live claims; a live <em>held</em> claim of someone else means
 * the day is taken; (2) insert our claim; (3) re-read: if any other live claim is there, withdraw
 * ours (a {@code released} row) and, when nobody holds the day, retry after a random pause; if ours is
 * alone, mark it {@code held}. Two claimants can never both hold: if A found itself alone in (3), B's
 * claim was inserted after A's re-read, so B's re-read sees A's claim and B withdraws. Both may
 * withdraw when they race; the random pause lets one of them win the next round.
 *
 * <h2>Expiry and takeover</h2>
 * A claim lives until {@code expires_at} (server time, {@code now() + ttl}); the holder renews it
 * every {@code ttl / 3} from a daemon thread ({@link DayLock}), so a killed holder's lock expires at
 * most one TTL after its last renewal and the next run takes the day over. A holder that provably
 * died sooner is taken over at once: its owner names this host and a pid that no process has any
 * more ({@link #isDeadLocalHolder}), e.g. a run killed with {@code kill -9} or Ctrl-C and started
 * again on the same machine; the taker writes a {@code released} row for the dead claim and says
 * so on stderr. Pid reuse can only make a dead holder look alive (then its lease is waited out),
 * never the reverse. Every time value is the
 * ClickHouse server's clock, so machines with skewed clocks agree on expiry. Like every lease
 * without fencing, it assumes a holder is never paused for longer than the TTL: {@link
 * DayLock#ensureHeld()} before each replacement step stops a holder that lost its lease.
 *
 * <p>With a single ClickHouse server (or one replica, as here) reads are linearizable. On a
 * replicated cluster the table must be a {@code ReplicatedMergeTree} written with {@code
 * insert_quorum} and read with {@code select_sequential_consistency=1}, or all runs must use the
 * same replica.
 */
public final class DayLocks {
  private static final int CONTENTION_ROUNDS = 8;
  /** "reconcile on HOST, pid PID" as {@link #processOwner} writes it. */
  private static final java.util.regex.Pattern OWNER = java.util.regex.Pattern.compile(".+? on (.+), pid (\\d+)");
  /** The seq of the row releasing a dead holder's claim: above any renewal count it can have reached. */
  private static final int TAKEN_OVER_SEQ = 2_000_000_000;

  private final ClickHouseSql sql;
  private final Duration ttl;
  private final Duration wait;
  private final String owner;
  private final SplittableRandom random = new SplittableRandom();

  /**
   * @param ttl how long a claim lives without renewal (at least 3 s)
   * @param wait how long {@link #acquire} waits for a held day; zero fails at once
   * @param owner who claims, for the other side's message (e.g. "reconcile on host h, pid 1")
   */
  public DayLocks(ClickHouseSql sql, Duration ttl, Duration wait, String owner) {
    if (ttl.toSeconds() < 3) {
      throw new IllegalArgumentException("A reconcile lock's TTL must be at least 3 s, got " + ttl);
    }
    this.sql = sql;
    this.ttl = ttl;
    this.wait = wait;
    this.owner = owner;
  }

  /** "reconcile on host h, pid p": this process, for lock owner names. */
  public static String processOwner(String what) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    return what + " on " + host + ", pid " + ManagementFactory.getRuntimeMXBean().getPid();
  }

  public Duration ttl() {
    return ttl;
  }

  /** A live claim of a day, as read from the table. */
  public record Claim(String token, String owner, boolean held, Instant since, Instant expiresAt) {
    String describe() {
      return owner + " (since " + since + ", lease until " + expiresAt + ")";
    }
  }

  /**
   * Takes the lock of {@code day}, waiting up to the configured wait while someone else holds it.
   * Release it with {@link DayLock#close()}.
   *
   * @throws ReconcileException "Day D is being reconciled by OWNER (since T, lease until U): ..."
   *     when it stays held (retryable)
   */
  public DayLock acquire(LocalDate day) {
    long deadline = System.nanoTime() + wait.toNanos();
    int contention = 0;
    while (true) {
      Claim holder = live(day).stream().filter(Claim::held).findFirst().orElse(null);
      if (holder != null && isDeadLocalHolder(holder)) {
        write(day, holder.token(), "released", TAKEN_OVER_SEQ);
        System.err.println("warning: took over the reconcile lock of " + day + " from " + holder.describe()
            + ": that process is no longer running");
        continue;
      }
      if (holder == null) {
        String token = UUID.randomUUID().toString();
        write(day, token, "claimed", 1);
        List<Claim> others = live(day).stream().filter(c -> !c.token().equals(token)).toList();
        if (others.isEmpty()) {
          write(day, token, "held", 2);
          return new DayLock(this, day, token);
        }
        write(day, token, "released", 3);
        holder = others.stream().filter(Claim::held).findFirst().orElse(null);
        if (holder == null && ++contention < CONTENTION_ROUNDS) {
          pause(50 + random.nextInt(450));
          continue;
        }
        if (holder == null) {
          holder = others.get(0);
        }
      }
      if (System.nanoTime() >= deadline) {
        throw new ReconcileException("Day " + day + " is being reconciled by " + holder.describe()
            + ": not replacing it concurrently (retry later, or set tidemark.reconcile.lock-wait to wait)", true);
      }
      pause(Math.min(1_000, Math.max(100, ttl.toMillis() / 10)));
    }
  }

  /**
   * Whether a claim's owner ({@link #processOwner}: "what on HOST, pid PID") is a process of this
   * host that no longer exists. Another host's or an unparsable owner is never judged dead here: its
   * lease decides.
   */
  boolean isDeadLocalHolder(Claim c) {
    java.util.regex.Matcher m = OWNER.matcher(c.owner());
    if (!m.matches() || c.owner().equals(owner)) {
      return false;
    }
    java.util.regex.Matcher self = OWNER.matcher(owner);
    if (!self.matches() || !self.group(1).equals(m.group(1))) {
      return false;
    }
    return ProcessHandle.of(Long.parseLong(m.group(2))).map(h -> !h.isAlive()).orElse(true);
  }

  /** Live claims of a day (not released, lease not expired by the server's clock), oldest first. */
  public List<Claim> live(LocalDate day) {
    return sql.queryRows(
        "SELECT token, argMax(owner, seq) AS o, toString(argMax(state, seq)) AS st, min(written_at) AS since,"
            + " max(expires_at) AS until FROM {t:Identifier} WHERE day = {day:Date} GROUP BY token"
            + " HAVING st != 'released' AND until > now() ORDER BY since, token",
        Map.of("t", table(), "day", day)).stream()
        .map(r -> new Claim(r.get("token"), r.get("o"), r.get("st").equals("held"), chTime(r.get("since")),
            chTime(r.get("until"))))
        .toList();
  }

  /** Extends a held lock's lease; false when it had already expired or been released (lost). */
  boolean renew(DayLock lock, int seq) {
    if (!isLive(lock)) {
      return false;
    }
    write(lock.day(), lock.token(), "held", seq);
    return true;
  }

  boolean isLive(DayLock lock) {
    return live(lock.day()).stream().anyMatch(c -> c.token().equals(lock.token()));
  }

  void release(DayLock lock, int seq) {
    write(lock.day(), lock.token(), "released", seq);
  }

  private void write(LocalDate day, String token, String state, int seq) {
    sql.execute("INSERT INTO {t:Identifier} (day, window_start, token, owner, state, seq, written_at, expires_at)"
            + " SELECT {day:Date}, {ws:DateTime}, {token:String}, {owner:String}, {state:String}, {seq:UInt32},"
            + " now(), now() + {ttl:UInt32}",
        Map.of("t", table(), "day", day, "ws", Instant.ofEpochMilli(Windows.dayStartMs(day)), "token", token,
            "owner", owner, "state", state, "seq", seq, "ttl", ttl.toSeconds()));
  }

  private String table() {
    return sql.database() + ".reconcile_locks";
  }

  private static Instant chTime(String s) {
    return java.time.LocalDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
        .toInstant(java.time.ZoneOffset.UTC);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconcileException("Interrupted while waiting for a reconcile lock", true);
    }
  }
}
