package io.tidemark.lake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonOutputTest {
  record Sample(Instant at, Duration since) {}

  @Test
  void rendersTimesAsIsoText() {
    String json = JsonOutput.render(new Sample(Instant.parse("2026-11-25T10:00:00Z"), Duration.ofSeconds(12)));
    assertThat(json).contains("\"at\" : \"2026-11-25T10:00:00Z\"").contains("\"since\" : \"PT12S\"");
  }
}
