package io.tidemark.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatenessHorizonTest {
  final LatenessHorizon h = new LatenessHorizon(Duration.ofSeconds(5), Duration.ofMinutes(2));

  @Test
  void anEventIsTooLateFromWindowEndPlusOutOfOrdernessPlusLateness() {
    assertThat(h.tooLate(0, 60_000 + 125_000 - 1)).isFalse();
    assertThat(h.tooLate(0, 60_000 + 125_000)).isTrue();
  }

  @Test
  void aDaySettlesAfterItsLastWindowStopsTakingEvents() {
    assertThat(h.settledAt(LocalDate.parse("2026-11-24"))).isEqualTo(Instant.parse("2026-11-25T00:02:05Z"));
  }

  @Test
  void readsTheSpeedLayersKeys() {
    LatenessHorizon c = LatenessHorizon.of(TidemarkConfig.of(Map.of(
        "tidemark.speed.out-of-orderness", "1s", "tidemark.speed.allowed-lateness", "30s")));
    assertThat(c.afterWindowEndMs()).isEqualTo(31_000);
    assertThat(LatenessHorizon.of(TidemarkConfig.of(Map.of())).afterWindowEndMs()).isEqualTo(125_000);
  }
}
