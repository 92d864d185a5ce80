package io.tidemark.batch.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The lake's verdict is re-checked with core's contract, never trusted or re-implemented. */
class CoreRulesTest {
  @Test
  void aValidRowStaysValid() {
    assertThat(CoreRules.invalidReason(true, "e1", "u", "/p", 1_000L, 2_000L, null, null)).isNull();
  }

  @Test
  void aRowMarkedValidThatBreaksTheContractIsInvalid() {
    assertThat(CoreRules.invalidReason(true, "e1", " ", "/p", 1_000L, 2_000L, null, null)).isEqualTo("empty-field");
  }

  @Test
  void anInvalidRowIsReparsedFromItsBytes() {
    byte[] notJson = "<html>".getBytes(StandardCharsets.UTF_8);
    assertThat(CoreRules.invalidReason(false, null, null, null, null, 2_000L, notJson, "not-json")).isEqualTo("not-json");
    byte[] valid = "{\"event_id\":\"e\",\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":5}".getBytes(StandardCharsets.UTF_8);
    assertThat(CoreRules.invalidReason(false, "e", "u", "/p", 5L, 2_000L, valid, "timestamp-in-future")).isNull();
  }

  @Test
  void anInvalidRowWithoutBytesKeepsItsStoredReason() {
    assertThat(CoreRules.invalidReason(false, null, null, null, null, null, null, "missing-field")).isEqualTo("missing-field");
    assertThat(CoreRules.invalidReason(false, null, null, null, null, null, null, null)).isEqualTo("unknown");
  }

  @Test
  void windowFunctionsPassNullThroughForRowsWithoutAnyTime() {
    assertThat(CoreRules.windowStart(null)).isNull();
    assertThat(CoreRules.windowDay(null)).isNull();
    assertThat(CoreRules.windowStart(86_400_000L + 61_234L)).isEqualTo(86_400_000L + 60_000L);
    assertThat(CoreRules.windowDay(86_400_000L + 60_000L)).isEqualTo(1);
  }

  @Test
  void aRowStoredAsValidIsJudgedWithoutItsBytes() {
    assertThat(CoreRules.validReason("e1", "u", "/p", 1_000L, 2_000L)).isNull();
    assertThat(CoreRules.validReason("e1", " ", "/p", 1_000L, 2_000L)).isEqualTo("empty-field");
    assertThat(CoreRules.validReason("e1", "u", "/p", 1_000L, 2_000L))
        .isEqualTo(CoreRules.invalidReason(true, "e1", "u", "/p", 1_000L, 2_000L, null, null));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(io.tidemark.core.metric.CountMetric.class)
  void eachMetricKeyIsTheEventFieldItsDefinitionReturns(io.tidemark.core.metric.CountMetric metric) {
    assertThat(CoreRules.keyField(metric)).isEqualTo(metric.keyColumn());
  }
}
