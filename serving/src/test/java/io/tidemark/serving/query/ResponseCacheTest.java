package io.tidemark.serving.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.serving.ServingMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ResponseCache cache = new ResponseCache(Duration.ofSeconds(2), 3, registry, nanos::get);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void reusesAnAnswerWithinTheTtlAndRecomputesAfterIt() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(cache.get("k", () -> b("v" + calls.incrementAndGet()))).isEqualTo(b("v1"));
    nanos.addAndGet(Duration.ofMillis(1_999).toNanos());
    assertThat(cache.get("k", () -> b("v" + calls.incrementAndGet()))).isEqualTo(b("v1"));
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(cache.get("k", () -> b("v" + calls.incrementAndGet()))).isEqualTo(b("v2"));
    assertThat(registry.counter(ServingMetrics.CACHE_HITS).count()).isEqualTo(1.0);
    assertThat(registry.counter(ServingMetrics.CACHE_MISSES).count()).isEqualTo(2.0);
  }

  @Test
  void doesNotCacheFailures() {
    assertThatThrownBy(() -> cache.get("k", () -> {
      throw new IllegalStateException("ClickHouse down");
    })).hasMessage("ClickHouse down");
    assertThat(cache.get("k", () -> b("ok"))).isEqualTo(b("ok"));
  }

  @Test
  void concurrentMissesForOneKeyComputeOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<byte[]>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(() -> cache.get("hot", () -> {
        calls.incrementAndGet();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return b("answer");
      })));
    }
    Thread.sleep(200);
    release.countDown();
    for (Future<byte[]> f : results) {
      assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(b("answer"));
    }
    pool.shutdown();
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void staysWithinMaxEntries() {
    for (int i = 0; i < 10; i++) {
      int n = i;
      cache.get("k" + i, () -> b("v" + n));
      assertThat(cache.size()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void zeroTtlDisablesCaching() {
    ResponseCache off = new ResponseCache(Duration.ZERO, 10, registry, nanos::get);
    AtomicInteger calls = new AtomicInteger();
    off.get("k", () -> b("x" + calls.incrementAndGet()));
    off.get("k", () -> b("x" + calls.incrementAndGet()));
    assertThat(calls.get()).isEqualTo(2);
  }
}
