package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.SchemaRegistryOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.registry.SchemaRegistryClient;
import io.tidemark.core.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Apicurio Registry as the local schema registry: its runnable distribution (a Quarkus fast-jar
 * unpacked by {@code stack/runtime-registry}) on a Java 21+ JVM, storing its contents in an H2
 * database file under {@code <home>/registry}, so registered schemas keep their ids across {@code
 * stack down}/{@code stack up}. Clients use its Confluent-compatible API ({@value #CCOMPAT_PATH}),
 * the same API as Confluent's registry, Karapace or Redpanda, so pointing {@code
 * tidemark.schema-registry.url} at one of those replaces it.
 *
 * <p>Settings that differ from Apicurio's defaults, and why: both HTTP interfaces bind 127.0.0.1
 * only (its management interface would otherwise take 0.0.0.0:9000, and Quarkus fixes whether it
 * exists at build time, so it is moved rather than turned off); schemas are de-duplicated by their
 * canonical form ({@code apicurio.ccompat.use-canonical-hash}), as Confluent's registry does, so a
 * producer registering the same schema with other whitespace gets the existing id instead of a new
 * version; the connection pool is small (it defaults to 20 to 100 connections) and the heap is
 * {@code tidemark.stack.registry-heap}, because the registry holds a handful of schemas.
 */
final class RegistryService implements LocalService {
  /** Where Apicurio serves the Confluent Schema Registry API. */
  static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  /** Apicurio Registry 3.x is compiled for Java 21. */
  static final int MIN_JAVA = 21;

  private final TidemarkConfig cfg;
  private final Path home;
  private final Path projectRoot;
  private final Path dir;

  RegistryService(TidemarkConfig resolved, Path home, Path projectRoot) {
    this.cfg = resolved;
    this.home = home;
    this.projectRoot = projectRoot;
    this.dir = home.resolve("registry");
  }

  @Override
  public Service service() {
    return Service.SCHEMA_REGISTRY;
  }

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public String address() {
    return cfg.get(SchemaRegistryOptions.URL);
  }

  @Override
  public Map<ConfigOption<Integer>, Integer> ports() {
    Map<ConfigOption<Integer>, Integer> ports = new LinkedHashMap<>();
    ports.put(StackOptions.REGISTRY_PORT, cfg.get(StackOptions.REGISTRY_PORT));
    ports.put(StackOptions.REGISTRY_MANAGEMENT_PORT, cfg.get(StackOptions.REGISTRY_MANAGEMENT_PORT));
    return ports;
  }

  /** The H2 database (file {@code registry.mv.db} in this folder). */
  Path dataDir() {
    return dir.resolve("data");
  }

  @Override
  public void prepare(StackListener listener) throws IOException {
    Runtimes.registryDistribution(projectRoot);
    java();
    Files.createDirectories(dataDir());
    Files.createDirectories(dir.resolve("tmp"));
  }

  private Path java() {
    return Runtimes.javaAtLeast(MIN_JAVA, cfg.get(StackOptions.REGISTRY_JAVA_HOME), Runtimes.SYSTEM_JVMS, projectRoot);
  }

  @Override
  public List<String> command() {
    Path dist = Runtimes.registryDistribution(projectRoot);
    return List.of(
        java().toString(),
        "-Xmx" + cfg.get(StackOptions.REGISTRY_HEAP),
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.io.tmpdir=" + dir.resolve("tmp"),
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + cfg.get(StackOptions.REGISTRY_PORT),
        "-Dquarkus.management.host=127.0.0.1",
        "-Dquarkus.management.port=" + cfg.get(StackOptions.REGISTRY_MANAGEMENT_PORT),
        "-Dquarkus.http.access-log.enabled=false",
        "-Dapicurio.storage.kind=sql",
        "-Dapicurio.storage.sql.kind=h2",
        "-Dapicurio.datasource.url=" + jdbcUrl(),
        "-Dapicurio.datasource.jdbc.initial-size=1",
        "-Dapicurio.datasource.jdbc.min-size=1",
        "-Dapicurio.datasource.jdbc.max-size=8",
        "-Dapicurio.storage.snapshot.location=" + dir.resolve("tmp"),
        "-Dapicurio.ccompat.use-canonical-hash=true",
        "-jar",
        dist.resolve("quarkus-run.jar").toString());
  }

  /** The H2 file database; its path is also the process's identity. */
  String jdbcUrl() {
    return "jdbc:h2:file:" + dataDir().resolve("registry");
  }

  @Override
  public String processIdentity() {
    return jdbcUrl();
  }

  @Override
  public Path logFile() {
    return home.resolve("logs").resolve("registry.log");
  }

  /** {@code GET /subjects}: answers only once the registry's storage is ready. */
  @Override
  public Health check() {
    try {
      SchemaRegistryClient client = SchemaRegistryClient.builder().url(address()).requestTimeout(Duration.ofSeconds(3)).build();
      int subjects = client.subjects().size();
      return Health.ok(subjects + (subjects == 1 ? " subject" : " subjects"));
    } catch (SchemaRegistryException | IllegalArgumentException e) {
      return Health.failed(e.getMessage());
    }
  }
}
