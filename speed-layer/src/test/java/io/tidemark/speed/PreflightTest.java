package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

class PreflightTest {
  @Test
  void connectionWarningsAreOffOnlyWhileTheBrokerIsProbed() {
    var networkClient = LogManager.getLogger(Preflight.QuietConnectionWarnings.LOGGER);
    assertThat(networkClient.isWarnEnabled()).isTrue();
    try (Preflight.QuietConnectionWarnings quiet = Preflight.QuietConnectionWarnings.start()) {
      assertThat(networkClient.isWarnEnabled()).isFalse();
      assertThat(networkClient.isErrorEnabled()).isTrue();
    }
    assertThat(networkClient.isWarnEnabled()).isTrue();
  }
}
