package io.tidemark.serving.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.serving.ServingMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A small time-to-live cache of serialized API answers, keyed by the request's normalized
 * parameters. Hot dashboard queries (totals, top pages, freshness) are asked by every open
 * dashboard every few seconds; with a TTL of a couple of seconds ClickHouse sees one query per
 * TTL per distinct request however many clients poll.
 *
 * <p>Concurrent misses for one key wait for a single computation instead of each querying
 * ClickHouse. Failures are not cached. When the cache holds {@code maxEntries}, expired entries
 * are dropped and, if that is not enough, everything is: a crude bound that keeps memory flat
 * under a flood of distinct requests (user lookups) without a dependency. Thread-safe.
 */
public final class ResponseCache {
  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;

  private record Entry(long expiresAtNanos, CompletableFuture<byte[]> value) {}

  public ResponseCache(Duration ttl, int maxEntries, MeterRegistry registry) {
    this(ttl, maxEntries, registry, System::nanoTime);
  }

  ResponseCache(Duration ttl, int maxEntries, MeterRegistry registry, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.nanoTime = nanoTime;
    this.hits = Counter.builder(ServingMetrics.CACHE_HITS).description("API answers served from the cache").register(registry);
    this.misses = Counter.builder(ServingMetrics.CACHE_MISSES).description("API answers computed").register(registry);
  }

  /**
   * The cached answer for {@code key}, or the one {@code compute} returns (then cached for the
   * TTL). Exceptions of {@code compute} propagate unchanged to every caller waiting for it.
   */
  public byte[] get(String key, Supplier<byte[]> compute) {
    if (ttlNanos == 0) {
      misses.increment();
      return compute.get();
    }
    long now = nanoTime.getAsLong();
    Entry e = entries.get(key);
    if (e != null && e.expiresAtNanos - now > 0) {
      hits.increment();
      return join(e.value);
    }
    CompletableFuture<byte[]> mine = new CompletableFuture<>();
    Entry fresh = new Entry(now + ttlNanos, mine);
    Entry winner =
        entries.compute(key, (k, old) -> old != null && old.expiresAtNanos - now > 0 ? old : fresh);
    if (winner != fresh) {
      hits.increment();
      return join(winner.value);
    }
    misses.increment();
    try {
      byte[] value = compute.get();
      mine.complete(value);
      trim(now);
      return value;
    } catch (RuntimeException | Error ex) {
      entries.remove(key, fresh);
      mine.completeExceptionally(ex);
      throw ex;
    }
  }

  /** Drops every entry (admin action). */
  public int clear() {
    int n = entries.size();
    entries.clear();
    return n;
  }

  int size() {
    return entries.size();
  }

  private void trim(long now) {
    if (entries.size() <= maxEntries) {
      return;
    }
    entries.values().removeIf(e -> e.expiresAtNanos - now <= 0);
    if (entries.size() > maxEntries) {
      entries.clear();
    }
  }

  private static byte[] join(CompletableFuture<byte[]> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for a cached answer", e);
    }
  }
}
