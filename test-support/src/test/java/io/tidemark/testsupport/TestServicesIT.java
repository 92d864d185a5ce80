package io.tidemark.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import io.tidemark.stack.ServiceStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@RequiresServices({Service.KAFKA, Service.CLICKHOUSE, Service.CATALOG})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestServicesIT {

  @BeforeAll
  static void onlyWithoutExternalEndpoints() {
    for (String env : List.of("TIDEMARK_KAFKA_BOOTSTRAP", "TIDEMARK_CLICKHOUSE_URL", "TIDEMARK_S3_ENDPOINT", "TIDEMARK_CATALOG_URI")) {
      assumeThat(System.getenv(env)).as(env).isNull();
    }
  }

  @Test
  @Order(1)
  void providesAnsweringServicesOnFreePortsInATargetHome(TestServices services) throws Exception {
    assertThat(services.home().getFileName().toString()).startsWith("test-stack-");
    assertThat(services.home().getParent()).isEqualTo(Path.of("target").toAbsolutePath());
    assertThat(services.kafkaBootstrap()).startsWith("localhost:").isNotEqualTo("localhost:19092");
    assertThat(services.clickHouseUrl()).startsWith("http://localhost:").isNotEqualTo("http://localhost:18123");
    assertThat(services.catalogUri()).isEqualTo("jdbc:sqlite:" + services.home().resolve("catalog/iceberg_catalog.db"));

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", services.kafkaBootstrap()))) {
      assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
    }
    HttpResponse<String> ping =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(services.clickHouseUrl() + "/ping")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ping.body()).isEqualTo("Ok.\n");
    try (Connection c = DriverManager.getConnection(services.catalogUri())) {
      assertThat(c.isValid(2)).isTrue();
    }
  }

  @Test
  @Order(2)
  void sameInstanceForTheWholeJvm(TestServices services, TidemarkConfig cfg) {
    List<Long> pids = services.localStack().status().stream().map(ServiceStatus::pid).toList();
    assertThat(TestServices.get(Service.KAFKA)).isSameAs(services);
    assertThat(cfg.explicitValues()).isEqualTo(services.config().explicitValues());
    assertThat(services.localStack().status().stream().map(ServiceStatus::pid).toList()).isEqualTo(pids);
  }

  @Test
  @Order(3)
  void laterCallAddsAServiceToTheSameStack(TestServices services) {
    assumeThat(services.origins().get(Service.KAFKA)).isEqualTo("local process");
    TestServices again = TestServices.get(Service.S3);
    assertThat(again).isSameAs(services);
    assertThat(again.origins()).containsEntry(Service.S3, "local process");
    assertThat(again.s3Endpoint()).startsWith("http://localhost:");
    // every service it provided is healthy (the stack also lists the ones not asked for, stopped)
    assertThat(again.localStack().status())
        .filteredOn(st -> again.origins().containsKey(st.service()))
        .isNotEmpty()
        .allMatch(ServiceStatus::healthy);
  }
}
