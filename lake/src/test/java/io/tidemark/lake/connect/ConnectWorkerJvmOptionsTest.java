package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.TidemarkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectWorkerJvmOptionsTest {
  @Test
  void noExtraOptionsUnlessConfigured() {
    assertThat(ConnectWorker.extraJvmOptions(TidemarkConfig.of(Map.of()))).isEmpty();
    assertThat(ConnectWorker.extraJvmOptions(TidemarkConfig.of(Map.of("tidemark.lake.worker-jvm-options", "  ")))).isEmpty();
  }

  @Test
  void extraOptionsAreSplitOnWhitespace() {
    TidemarkConfig cfg = TidemarkConfig.of(Map.of("tidemark.lake.worker-jvm-options",
        " -XX:StartFlightRecording=filename=/tmp/w.jfr,settings=profile \t -Xlog:gc:file=/tmp/gc.log "));
    assertThat(ConnectWorker.extraJvmOptions(cfg))
        .containsExactly("-XX:StartFlightRecording=filename=/tmp/w.jfr,settings=profile", "-Xlog:gc:file=/tmp/gc.log");
  }
}
