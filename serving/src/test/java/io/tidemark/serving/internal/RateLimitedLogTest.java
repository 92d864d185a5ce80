package io.tidemark.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private final List<String> lines = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimitedLog log = new RateLimitedLog(l -> {
    synchronized (lines) {
      lines.add(l);
    }
  }, Duration.ofSeconds(10), now::get);

  @Test
  void writesTheFirstLineOfACauseAndCountsTheRestIntoTheNextLine() {
    assertThat(log.warn("timeout", "a timed out")).isTrue();
    for (int i = 0; i < 999; i++) {
      assertThat(log.warn("timeout", "b timed out")).isFalse();
    }
    assertThat(log.heldBack("timeout")).isEqualTo(999);
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(log.warn("timeout", "c timed out")).isFalse();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(log.warn("timeout", "d timed out")).isTrue();
    assertThat(lines).containsExactly("a timed out", "d timed out (1000 more like this in the last 10s not logged)");
    assertThat(log.heldBack("timeout")).isZero();
  }

  @Test
  void eachCauseHasItsOwnInterval() {
    log.warn("timeout", "t1");
    log.warn("refused", "r1");
    log.warn("timeout", "t2");
    log.warn("refused", "r2");
    assertThat(lines).containsExactly("t1", "r1");
    assertThat(log.heldBack("timeout")).isEqualTo(1);
    assertThat(log.heldBack("refused")).isEqualTo(1);
  }

  @Test
  void aZeroIntervalWritesEveryLine() {
    RateLimitedLog every = new RateLimitedLog(lines::add, Duration.ZERO, now::get);
    every.warn("x", "1");
    every.warn("x", "2");
    assertThat(lines).containsExactly("1", "2");
  }

  @Test
  void concurrentCallersWriteOneLinePerIntervalAndLoseNoCount() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < 8_000; i++) {
      pool.submit(() -> log.warn("down", "down"));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(lines).containsExactly("down");
    assertThat(log.heldBack("down")).isEqualTo(7_999);
  }
}
