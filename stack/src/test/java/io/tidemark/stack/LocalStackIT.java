package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewAvro;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.stack.ServiceStatus.State;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The local stack against real processes: start, health, data kept across down/up, a crashed and
 * a frozen ClickHouse seen by status, and a taken port. Runs on free ports in a fresh home so it
 * never meets a developer's own stack.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
  private static final Set<Service> ALL = EnumSet.allOf(Service.class);
  private static final String TOPIC = "it_events";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path home;
  private static LocalStack stack;
  private static final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startStack() throws IOException {
    Files.createDirectories(Path.of("target"));
    home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stack-it-");
    stack = new LocalStack(freePortConfig(home));
    long t0 = System.nanoTime();
    stack.up(ALL, (service, message) -> progress.add(service + ": " + message));
    System.out.printf("LocalStackIT: cold up took %.1fs%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.down();
    }
  }

  static TidemarkConfig freePortConfig(Path home) throws IOException {
    Map<String, String> m = new HashMap<>();
    m.put(StackOptions.HOME.key(), home.toString());
    List<Integer> ports = freePorts(8);
    m.put(StackOptions.KAFKA_PORT.key(), ports.get(0).toString());
    m.put(StackOptions.KAFKA_CONTROLLER_PORT.key(), ports.get(1).toString());
    m.put(StackOptions.CLICKHOUSE_HTTP_PORT.key(), ports.get(2).toString());
    m.put(StackOptions.CLICKHOUSE_TCP_PORT.key(), ports.get(3).toString());
    m.put(StackOptions.CLICKHOUSE_INTERSERVER_PORT.key(), ports.get(4).toString());
    m.put(StackOptions.S3_PORT.key(), ports.get(5).toString());
    m.put(StackOptions.REGISTRY_PORT.key(), ports.get(6).toString());
    m.put(StackOptions.REGISTRY_MANAGEMENT_PORT.key(), ports.get(7).toString());
    return TidemarkConfig.of(m);
  }

  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sockets.add(s);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  @Order(1)
  void upStartsEveryServiceHealthyInItsOwnHome() {
    assertThat(stack.status())
        .extracting(ServiceStatus::service, ServiceStatus::state, ServiceStatus::managedLocally)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Service.KAFKA, State.RUNNING_HEALTHY, true),
            org.assertj.core.groups.Tuple.tuple(Service.CLICKHOUSE, State.RUNNING_HEALTHY, true),
            org.assertj.core.groups.Tuple.tuple(Service.S3, State.RUNNING_HEALTHY, true),
            org.assertj.core.groups.Tuple.tuple(Service.CATALOG, State.RUNNING_HEALTHY, true),
            org.assertj.core.groups.Tuple.tuple(Service.SCHEMA_REGISTRY, State.RUNNING_HEALTHY, true));
    assertThat(statusOf(Service.SCHEMA_REGISTRY).address())
        .isEqualTo("http://127.0.0.1:" + stack.config().get(StackOptions.REGISTRY_PORT) + "/apis/ccompat/v7");
    assertThat(statusOf(Service.SCHEMA_REGISTRY).detail()).isEqualTo("0 subjects");
    assertThat(stack.status()).filteredOn(s -> s.service() != Service.CATALOG).allSatisfy(s -> assertThat(s.pid()).isNotNull());
    assertThat(stack.home()).isEqualTo(home);
    assertThat(stack.logFile(Service.KAFKA)).isRegularFile().content().contains("Kafka Server started");
    assertThat(home.resolve("catalog")).isDirectory();
    assertThat(progress).anyMatch(line -> line.startsWith("CLICKHOUSE: healthy at http://localhost:"));
  }

  @Test
  @Order(2)
  void upAgainLeavesRunningServicesAlone() {
    List<Long> pidsBefore = stack.status().stream().map(ServiceStatus::pid).toList();
    List<ServiceStatus> again = stack.up(ALL, StackListener.SILENT);
    assertThat(again).allMatch(ServiceStatus::healthy);
    assertThat(stack.status().stream().map(ServiceStatus::pid).toList()).isEqualTo(pidsBefore);
  }

  @Test
  @Order(3)
  void downThenUpKeepsTopicsRowsAndObjects() throws Exception {
    TidemarkConfig cfg = stack.config();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP)))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafkaProps(cfg), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, "user-1", "{\"event_id\":\"e1\"}")).get();
    }
    clickHouse(cfg, "CREATE TABLE default.it_rows (id UInt32, name String) ENGINE = MergeTree ORDER BY id");
    clickHouse(cfg, "INSERT INTO default.it_rows VALUES (1, 'tide')");
    String bucket = cfg.get(LakeOptions.BUCKET);
    try (S3Client s3 = S3ProxyService.client(cfg)) {
      s3.putObject(b -> b.bucket(bucket).key("it/object.txt"), RequestBody.fromString("lake bytes"));
    }
    SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(cfg);
    registry.register("it_other-value", "{\"type\": \"string\"}");
    int id = registry.register("it_events-value", PageViewAvro.SCHEMA.toString());

    stack.down();
    assertThat(stack.status()).extracting(ServiceStatus::state).containsOnly(State.STOPPED);

    stack.up(ALL, StackListener.SILENT);
    assertThat(stack.status()).allMatch(ServiceStatus::healthy);
    assertThat(readTopic(cfg)).containsExactly("user-1={\"event_id\":\"e1\"}");
    assertThat(clickHouse(cfg, "SELECT id, name FROM default.it_rows FORMAT TabSeparated")).isEqualTo("1\ttide\n");
    try (S3Client s3 = S3ProxyService.client(cfg)) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("it/object.txt")).asUtf8String()).isEqualTo("lake bytes");
    }
    assertThat(registry.subjects()).containsExactlyInAnyOrder("it_other-value", "it_events-value");
    assertThat(registry.versions("it_events-value")).containsExactly(1);
    assertThat(registry.version("it_events-value", 1).id()).isEqualTo(id);
    assertThat(new org.apache.avro.Schema.Parser().parse(registry.schemaById(id))).isEqualTo(PageViewAvro.SCHEMA);
    assertThat(registry.register("it_events-value", PageViewAvro.SCHEMA.toString())).as("same schema, same id").isEqualTo(id);
  }

  @Test
  @Order(4)
  void externalRegistryIsOnlyHealthCheckedNeverStarted() throws Exception {
    Path otherHome = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stack-it-external-");
    // the first stack's registry, seen from a second stack whose own registry port is elsewhere
    TidemarkConfig cfg = freePortConfig(otherHome).with(SchemaRegistryOptions.URL, stack.config().get(SchemaRegistryOptions.URL));
    LocalStack other = new LocalStack(cfg);
    int ownPort = other.config().get(StackOptions.REGISTRY_PORT);
    List<ServiceStatus> up = other.up(Set.of(Service.SCHEMA_REGISTRY), StackListener.SILENT);
    assertThat(up).singleElement().satisfies(st -> {
      assertThat(st.state()).isEqualTo(State.EXTERNAL_HEALTHY);
      assertThat(st.managedLocally()).isFalse();
      assertThat(st.pid()).isNull();
      assertThat(st.address()).isEqualTo(stack.config().get(SchemaRegistryOptions.URL));
    });
    assertThat(otherHome.resolve("run/registry.pid")).doesNotExist();
    assertThat(otherHome.resolve("registry")).doesNotExist();
    assertThat(Ports.isListening(ownPort)).isFalse();

    LocalStack unreachable = new LocalStack(freePortConfig(otherHome).with(SchemaRegistryOptions.URL, "http://127.0.0.1:" + freePorts(1).get(0) + "/apis/ccompat/v7"));
    assertThatThrownBy(() -> unreachable.up(Set.of(Service.SCHEMA_REGISTRY), StackListener.SILENT))
        .isInstanceOf(StackException.class)
        .hasMessageStartingWith("SCHEMA_REGISTRY at http://127.0.0.1:")
        .hasMessageContaining("is not healthy: Schema registry at http://127.0.0.1:");
    assertThat(otherHome.resolve("run/registry.pid")).doesNotExist();
  }

  @Test
  @Order(5)
  void statusReportsFrozenClickHouseAsRunningUnhealthy() throws Exception {
    long pid = statusOf(Service.CLICKHOUSE).pid();
    signal("-STOP", pid);
    try {
      ServiceStatus frozen = statusOf(Service.CLICKHOUSE);
      assertThat(frozen.state()).isEqualTo(State.RUNNING_UNHEALTHY);
      assertThat(frozen.pid()).isEqualTo(pid);
    } finally {
      signal("-CONT", pid);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(Service.CLICKHOUSE).healthy());
  }

  @Test
  @Order(6)
  void statusReportsKilledClickHouseAsStoppedAndUpRestartsIt() {
    long pid = statusOf(Service.CLICKHOUSE).pid();
    stack.kill(Service.CLICKHOUSE);

    ServiceStatus killed = statusOf(Service.CLICKHOUSE);
    assertThat(killed.state()).isEqualTo(State.STOPPED);
    assertThat(killed.detail()).isEqualTo("pid " + pid + " not running");
    assertThat(statusOf(Service.KAFKA).healthy()).isTrue();

    stack.up(Set.of(Service.CLICKHOUSE), StackListener.SILENT);
    assertThat(statusOf(Service.CLICKHOUSE).state()).isEqualTo(State.RUNNING_HEALTHY);
    assertThat(statusOf(Service.CLICKHOUSE).pid()).isNotEqualTo(pid);
  }

  @Test
  @Order(7)
  void upFailsNamingTheOptionWhenAPortIsTaken() throws Exception {
    Path otherHome = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stack-it-port-");
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      TidemarkConfig cfg = freePortConfig(otherHome).with(StackOptions.CLICKHOUSE_HTTP_PORT, port);
      LocalStack other = new LocalStack(cfg);
      assertThatThrownBy(() -> other.up(Set.of(Service.CLICKHOUSE), StackListener.SILENT))
          .isInstanceOf(StackException.class)
          .hasMessage(
              "Port " + port + " (tidemark.stack.clickhouse-http-port / TIDEMARK_STACK_CLICKHOUSE_HTTP_PORT)"
                  + " is already in use by another process");
      assertThat(other.status()).filteredOn(s -> s.service() == Service.CLICKHOUSE).extracting(ServiceStatus::state).containsExactly(State.STOPPED);
    }
  }

  private static ServiceStatus statusOf(Service service) {
    return stack.status().stream().filter(s -> s.service() == service).findFirst().orElseThrow();
  }

  private static void signal(String signal, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }

  private static Properties kafkaProps(TidemarkConfig cfg) {
    Properties p = new Properties();
    p.put("bootstrap.servers", cfg.get(KafkaOptions.BOOTSTRAP));
    return p;
  }

  private static List<String> readTopic(TidemarkConfig cfg) {
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafkaProps(cfg), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                  seen.add(r.key() + "=" + r.value());
                }
                return !seen.isEmpty();
              });
    }
    return seen;
  }

  private static String clickHouse(TidemarkConfig cfg, String sql) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(cfg.get(ClickHouseOptions.URL) + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s -> %s", sql, r.body()).isEqualTo(200);
    return r.body();
  }
}
