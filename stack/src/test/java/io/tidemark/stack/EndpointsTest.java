package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EndpointsTest {
  private static final TidemarkConfig LOCAL = TidemarkConfig.of(Map.of("tidemark.stack.home", "/data/tm"));

  @Test
  void fillsEveryUnsetEndpointWithTheLocalStacksAddress() {
    TidemarkConfig r = Endpoints.resolve(LOCAL);
    assertThat(r.get(KafkaOptions.BOOTSTRAP)).isEqualTo("localhost:19092");
    assertThat(r.get(ClickHouseOptions.URL)).isEqualTo("http://localhost:18123");
    assertThat(r.get(LakeOptions.S3_ENDPOINT)).isEqualTo("http://localhost:18333");
    assertThat(r.get(LakeOptions.CATALOG_URI)).isEqualTo("jdbc:sqlite:/data/tm/catalog/iceberg_catalog.db");
    assertThat(r.get(SchemaRegistryOptions.URL)).isEqualTo("http://127.0.0.1:18081/apis/ccompat/v7");
  }

  @Test
  void registryFollowsItsPortAndAnExternalUrlWins() {
    assertThat(Endpoints.resolve(LOCAL.with(StackOptions.REGISTRY_PORT, 28081)).get(SchemaRegistryOptions.URL))
        .isEqualTo("http://127.0.0.1:28081/apis/ccompat/v7");
    TidemarkConfig cfg =
        TidemarkConfig.load(null, Map.of("TIDEMARK_SCHEMA_REGISTRY_URL", "http://karapace:8081"), Map.of(), SchemaRegistryOptions.all());
    assertThat(Endpoints.isExternal(cfg, Service.SCHEMA_REGISTRY)).isTrue();
    assertThat(Endpoints.resolve(cfg).get(SchemaRegistryOptions.URL)).isEqualTo("http://karapace:8081");
  }

  @Test
  void followsConfiguredPorts() {
    TidemarkConfig cfg = LOCAL.with(StackOptions.KAFKA_PORT, 29092).with(StackOptions.CLICKHOUSE_HTTP_PORT, 28123).with(StackOptions.S3_PORT, 28333);
    TidemarkConfig r = Endpoints.resolve(cfg);
    assertThat(r.get(KafkaOptions.BOOTSTRAP)).isEqualTo("localhost:29092");
    assertThat(r.get(ClickHouseOptions.URL)).isEqualTo("http://localhost:28123");
    assertThat(r.get(LakeOptions.S3_ENDPOINT)).isEqualTo("http://localhost:28333");
  }

  @Test
  void keepsEndpointsTheUserSetAndMarksThemExternal() {
    TidemarkConfig cfg =
        TidemarkConfig.of(
            Map.of(
                "tidemark.stack.home", "/data/tm",
                "tidemark.kafka.bootstrap", "kafka-1:9092,kafka-2:9092",
                "tidemark.catalog.uri", "jdbc:postgresql://pg:5432/iceberg"));
    TidemarkConfig r = Endpoints.resolve(cfg);
    assertThat(r.get(KafkaOptions.BOOTSTRAP)).isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(r.get(LakeOptions.CATALOG_URI)).isEqualTo("jdbc:postgresql://pg:5432/iceberg");
    assertThat(Endpoints.isExternal(r, Service.KAFKA)).isTrue();
    assertThat(Endpoints.isExternal(r, Service.CATALOG)).isTrue();
    assertThat(Endpoints.isExternal(r, Service.CLICKHOUSE)).isFalse();
    assertThat(Endpoints.isExternal(r, Service.S3)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Service.class)
  void resolvedLocalEndpointsStayLocal(Service service) {
    TidemarkConfig r = Endpoints.resolve(LOCAL);
    assertThat(Endpoints.isExternal(LOCAL, service)).isFalse();
    assertThat(Endpoints.isExternal(r, service)).as("a resolved config passed on to a child JVM").isFalse();
  }

  @Test
  void resolveIsIdempotentAndPinsTheHome() {
    TidemarkConfig once = Endpoints.resolve(TidemarkConfig.of(Map.of()));
    assertThat(once.isSet(StackOptions.HOME)).isTrue();
    assertThat(Endpoints.resolve(once).explicitValues()).isEqualTo(once.explicitValues());
  }

  @Test
  void environmentVariableMakesKafkaExternal() {
    TidemarkConfig cfg =
        TidemarkConfig.load(null, Map.of("TIDEMARK_KAFKA_BOOTSTRAP", "broker:9092"), Map.of(), KafkaOptions.all());
    assertThat(Endpoints.isExternal(cfg, Service.KAFKA)).isTrue();
    assertThat(Endpoints.resolve(cfg).get(KafkaOptions.BOOTSTRAP)).isEqualTo("broker:9092");
  }
}
