package io.tidemark.serving.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.serving.query.CircuitBreaker.State;
import io.tidemark.serving.query.CircuitBreaker.Transition;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(5), now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void opensAfterTheConfiguredConsecutiveFailuresOnly() {
    assertThat(breaker.onFailure()).isEqualTo(Transition.NONE);
    assertThat(breaker.onFailure()).isEqualTo(Transition.NONE);
    assertThat(breaker.onSuccess()).isEqualTo(Transition.NONE); // a success resets the count
    assertThat(breaker.onFailure()).isEqualTo(Transition.NONE);
    assertThat(breaker.onFailure()).isEqualTo(Transition.NONE);
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.onFailure()).isEqualTo(Transition.OPENED);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
    assertThat(breaker.untilProbe()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void letsExactlyOneProbeThroughAfterTheOpenTimeAndClosesOnItsSuccess() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    advance(Duration.ofMillis(4_999));
    assertThat(breaker.tryAcquire()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(breaker.tryAcquire()).as("the probe").isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.tryAcquire()).as("others while the probe is out").isFalse();
    assertThat(breaker.tryAcquire()).isFalse();
    assertThat(breaker.refused()).isEqualTo(3);
    advance(Duration.ofSeconds(2));
    assertThat(breaker.onSuccess()).isEqualTo(Transition.CLOSED);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.sinceFirstOpened()).isEqualTo(Duration.ofSeconds(7));
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.tryAcquire()).isTrue();
  }

  @Test
  void aFailedProbeOpensTheBreakerForAnotherPeriod() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    advance(Duration.ofSeconds(5));
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.onFailure()).isEqualTo(Transition.REOPENED);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.tryAcquire()).isFalse();
    advance(Duration.ofSeconds(5));
    assertThat(breaker.tryAcquire()).isTrue();
    assertThat(breaker.onSuccess()).isEqualTo(Transition.CLOSED);
  }
}
