package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.TidemarkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClickHouseClientsTest {

  @Test
  void requiresTheUrl() {
    assertThatThrownBy(() -> ClickHouseClients.url(TidemarkConfig.of(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Property tidemark.clickhouse.url is required but not provided (set it or TIDEMARK_CLICKHOUSE_URL)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:8123", "tcp://localhost:9000", "http://", "not a url"})
  void rejectsUrlThatIsNotHttp(String url) {
    assertThatThrownBy(() -> ClickHouseClients.url(TidemarkConfig.of(Map.of("tidemark.clickhouse.url", url))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '" + url + "' for tidemark.clickhouse.url (TIDEMARK_CLICKHOUSE_URL): expected http://host:port");
  }

  @Test
  void acceptsHttpAndHttpsUrls() {
    assertThat(ClickHouseClients.url(TidemarkConfig.of(Map.of("tidemark.clickhouse.url", "http://127.0.0.1:8123"))))
        .isEqualTo("http://127.0.0.1:8123");
    assertThat(ClickHouseClients.url(TidemarkConfig.of(Map.of("tidemark.clickhouse.url", "https://ch.example:8443"))))
        .isEqualTo("https://ch.example:8443");
  }

  @Test
  void defaultsTheDatabaseToTidemark() {
    assertThat(ClickHouseClients.database(TidemarkConfig.of(Map.of()))).isEqualTo("tidemark");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tide-mark", "x; DROP DATABASE default", "a.b", "1db"})
  void rejectsDatabaseNameThatIsNotAnIdentifier(String db) {
    assertThatThrownBy(() -> ClickHouseClients.database(TidemarkConfig.of(Map.of("tidemark.clickhouse.database", db))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '" + db + "' for tidemark.clickhouse.database (TIDEMARK_CLICKHOUSE_DATABASE): "
            + "expected letters, digits and underscores");
  }
}
