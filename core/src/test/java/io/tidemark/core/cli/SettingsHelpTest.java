package io.tidemark.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ConfigOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsHelpTest {
  private static final ConfigOption<Duration> INTERVAL = ConfigOption.durationKey("tidemark.test.commit-interval")
      .defaultValue(Duration.ofSeconds(10)).description("How often, in 100% of cases.");
  private static final ConfigOption<String> URL = ConfigOption.stringKey("tidemark.test.url").description("Where.");

  @Test
  void listsEveryKeyWithItsEnvironmentVariableDefaultAndDescription() {
    String[] lines = SettingsHelp.footer(List.of(INTERVAL, URL));
    assertThat(lines).containsExactly(
        "",
        "Settings (the environment variables shown, or these keys in a properties file named by TIDEMARK_CONFIG):",
        "  tidemark.test.commit-interval (TIDEMARK_TEST_COMMIT_INTERVAL, default 10s)",
        "      How often, in 100%% of cases.",
        "  tidemark.test.url (TIDEMARK_TEST_URL)",
        "      Where.");
  }

  @Test
  void keepsTheCommandsOwnFooterAfterTheSettings() {
    String[] lines = SettingsHelp.prepend(List.of(URL), new String[] {"Exit codes: 0 done."});
    assertThat(lines[lines.length - 1]).isEqualTo("Exit codes: 0 done.");
    assertThat(lines).hasSize(5);
  }
}
