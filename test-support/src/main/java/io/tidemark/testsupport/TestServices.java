package io.tidemark.testsupport;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.LocalStack;
import io.tidemark.stack.Service;
import io.tidemark.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * Real services for tests, provided once per JVM and always stopped.
 *
 * <p>For each service a test needs, in this order: the endpoint given in the environment ({@code
 * TIDEMARK_KAFKA_BOOTSTRAP}, {@code TIDEMARK_CLICKHOUSE_URL}, {@code TIDEMARK_S3_ENDPOINT}, {@code
 * TIDEMARK_CATALOG_URI}, {@code TIDEMARK_SCHEMA_REGISTRY_URL}), else a container when a Docker engine answers, else the {@link
 * LocalStack}'s process on free ports in a fresh home under {@code target/test-stack-<random>}.
 * Whatever this class started is stopped by a JVM shutdown hook and, when tests use {@link
 * RequiresServices}, at the end of the JUnit run, whether tests passed or failed.
 *
 * <pre>{@code
 * TestServices services = TestServices.get(Service.KAFKA, Service.CLICKHOUSE);
 * TidemarkConfig cfg = services.config(); // pass to the code under test
 * // a schema registry with the Confluent API (locally Apicurio, about 3 s and 250 MB RSS):
 * String registryUrl = TestServices.get(Service.SCHEMA_REGISTRY).schemaRegistryUrl();
 * }</pre>
 *
 * <p>Thread-safe: {@link #get} is synchronized; a later call that needs more services adds them to
 * the same instance.
 */
public final class TestServices {
  private static TestServices current;
  private static boolean shutdownHookInstalled;

  private final Path home;
  private final Map<String, String> values = new TreeMap<>();
  private final Map<Service, String> origin = new EnumMap<>(Service.class);
  private final Set<Service> local = EnumSet.noneOf(Service.class);
  private LocalStack localStack;
  private DockerServices docker;
  private Boolean dockerAvailable;
  private volatile TidemarkConfig config;
  private boolean closed;

  TestServices(Map<String, String> env, Path targetDir) {
    List<ConfigOption<?>> endpointOptions = new ArrayList<>();
    endpointOptions.addAll(KafkaOptions.all());
    endpointOptions.addAll(ClickHouseOptions.all());
    endpointOptions.addAll(LakeOptions.all());
    endpointOptions.addAll(SchemaRegistryOptions.all());
    // Only endpoints and credentials come from the environment; the stack's ports and home never
    // do, so tests cannot meet (or stop) a developer's own stack.
    values.putAll(TidemarkConfig.load(null, env, Map.of(), endpointOptions).explicitValues());
    this.home = targetDir.toAbsolutePath().normalize().resolve("test-stack-" + UUID.randomUUID().toString().substring(0, 8));
    values.put(StackOptions.HOME.key(), home.toString());
    List<Integer> ports = freePorts(8);
    values.put(StackOptions.KAFKA_PORT.key(), ports.get(0).toString());
    values.put(StackOptions.KAFKA_CONTROLLER_PORT.key(), ports.get(1).toString());
    values.put(StackOptions.CLICKHOUSE_HTTP_PORT.key(), ports.get(2).toString());
    values.put(StackOptions.CLICKHOUSE_TCP_PORT.key(), ports.get(3).toString());
    values.put(StackOptions.CLICKHOUSE_INTERSERVER_PORT.key(), ports.get(4).toString());
    values.put(StackOptions.S3_PORT.key(), ports.get(5).toString());
    values.put(StackOptions.REGISTRY_PORT.key(), ports.get(6).toString());
    values.put(StackOptions.REGISTRY_MANAGEMENT_PORT.key(), ports.get(7).toString());
    values.put(StackOptions.STOP_TIMEOUT.key(), "20s");
    this.config = Endpoints.resolve(TidemarkConfig.of(values));
  }

  /**
   * The JVM's services, providing any of {@code needed} not provided yet. Blocks until they answer.
   *
   * @throws io.tidemark.stack.StackException when a service cannot be started or an endpoint from
   *     the environment does not answer
   */
  public static synchronized TestServices get(Service... needed) {
    if (current == null) {
      current = new TestServices(System.getenv(), Path.of("target"));
      if (!shutdownHookInstalled) {
        Runtime.getRuntime().addShutdownHook(new Thread(TestServices::stopAll, "tidemark-test-services-stop"));
        shutdownHookInstalled = true;
      }
    }
    current.provide(EnumSet.copyOf(needed.length == 0 ? List.of(Service.values()) : Arrays.asList(needed)));
    return current;
  }

  /** Stops whatever the JVM's instance started; a later {@link #get} starts afresh. Idempotent. */
  static synchronized void stopAll() {
    if (current != null) {
      TestServices c = current;
      current = null;
      c.close();
    }
  }

  synchronized void provide(Set<Service> needed) {
    if (closed) {
      throw new IllegalStateException("TestServices for " + home + " were already stopped");
    }
    Set<Service> viaStack = EnumSet.noneOf(Service.class);
    for (Service s : needed) {
      if (origin.containsKey(s)) {
        continue;
      }
      TidemarkConfig cfg = TidemarkConfig.of(values);
      if (Endpoints.isExternal(cfg, s)) {
        origin.put(s, "environment (" + Endpoints.option(s).envName() + ")");
        viaStack.add(s); // health-checked only
      } else if (s != Service.CATALOG && dockerAvailable()) {
        if (docker == null) {
          docker = new DockerServices();
        }
        values.put(Endpoints.option(s).key(), docker.start(s, cfg));
        origin.put(s, "container");
      } else {
        origin.put(s, "local process");
        local.add(s);
        viaStack.add(s);
      }
    }
    if (!viaStack.isEmpty()) {
      if (localStack == null) {
        localStack = new LocalStack(TidemarkConfig.of(values));
      }
      localStack.up(viaStack, (service, message) -> System.out.println("[tidemark test services] " + service + ": " + message));
    }
    config = Endpoints.resolve(TidemarkConfig.of(values));
  }

  private boolean dockerAvailable() {
    if (dockerAvailable == null) {
      try {
        dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        dockerAvailable = false;
      }
    }
    return dockerAvailable;
  }

  /** Stops what this instance started and deletes its data (logs are kept for failed builds). */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    try {
      if (localStack != null && !local.isEmpty()) {
        localStack.down();
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      if (docker != null) {
        docker.close();
      }
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    for (String data : List.of("kafka", "clickhouse", "s3", "catalog", "registry")) {
      deleteRecursively(home.resolve(data));
    }
  }

  /** Configuration with every endpoint resolved; hand it to any code under test. */
  public TidemarkConfig config() {
    return config;
  }

  public String kafkaBootstrap() {
    return config.get(KafkaOptions.BOOTSTRAP);
  }

  public String clickHouseUrl() {
    return config.get(ClickHouseOptions.URL);
  }

  public String s3Endpoint() {
    return config.get(LakeOptions.S3_ENDPOINT);
  }

  public String catalogUri() {
    return config.get(LakeOptions.CATALOG_URI);
  }

  /** The schema registry's Confluent-compatible base URL ({@code tidemark.schema-registry.url}). */
  public String schemaRegistryUrl() {
    return config.get(SchemaRegistryOptions.URL);
  }

  /** The local stack running this JVM's local services, or {@code null} when none runs locally. */
  public synchronized LocalStack localStack() {
    return local.isEmpty() ? null : localStack;
  }

  /** The local stack's home ({@code target/test-stack-<random>}); exists once a service runs locally. */
  public Path home() {
    return home;
  }

  /** Where each provided service comes from: "environment (...)", "container" or "local process". */
  public synchronized Map<Service, String> origins() {
    return Map.copyOf(origin);
  }

  private static List<Integer> freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sockets.add(s);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find free ports for the test services", e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // the port stays reserved until close; nothing else to do
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // leftovers under target/ are removed by mvn clean
    }
  }
}
