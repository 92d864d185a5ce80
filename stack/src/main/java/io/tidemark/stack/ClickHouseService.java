package io.tidemark.stack;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's ClickHouse server (18.16 here) run as our own process with a project-local copy of the
 * packaged configuration, so it never touches /var/lib/clickhouse or the system service's ports.
 */
final class ClickHouseService implements LocalService {
  private static final String INSTALL_COMMAND =
      "apt-get update && apt-get install -y clickhouse-server clickhouse-client";

  private final TidemarkConfig cfg;
  private final Path home;
  private final Path dir;
  private final Path configFile;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ClickHouseService(TidemarkConfig resolved, Path home) {
    this.cfg = resolved;
    this.home = home;
    this.dir = home.resolve("clickhouse");
    this.configFile = dir.resolve("config.xml");
  }

  @Override
  public Service service() {
    return Service.CLICKHOUSE;
  }

  @Override
  public String name() {
    return "clickhouse";
  }

  @Override
  public String address() {
    return cfg.get(ClickHouseOptions.URL);
  }

  @Override
  public Map<ConfigOption<Integer>, Integer> ports() {
    Map<ConfigOption<Integer>, Integer> m = new LinkedHashMap<>();
    m.put(StackOptions.CLICKHOUSE_HTTP_PORT, cfg.get(StackOptions.CLICKHOUSE_HTTP_PORT));
    m.put(StackOptions.CLICKHOUSE_TCP_PORT, cfg.get(StackOptions.CLICKHOUSE_TCP_PORT));
    m.put(StackOptions.CLICKHOUSE_INTERSERVER_PORT, cfg.get(StackOptions.CLICKHOUSE_INTERSERVER_PORT));
    return m;
  }

  ClickHouseConfig.Settings settings() {
    return new ClickHouseConfig.Settings(
        dir,
        home.resolve("logs"),
        cfg.get(StackOptions.CLICKHOUSE_HTTP_PORT),
        cfg.get(StackOptions.CLICKHOUSE_TCP_PORT),
        cfg.get(StackOptions.CLICKHOUSE_INTERSERVER_PORT),
        cfg.get(ClickHouseOptions.USER),
        cfg.get(ClickHouseOptions.PASSWORD),
        cfg.get(ClickHouseOptions.READONLY_USER),
        cfg.get(ClickHouseOptions.READONLY_PASSWORD));
  }

  @Override
  public void prepare(StackListener listener) throws IOException, InterruptedException {
    ensureInstalled(listener);
    Path template = Path.of(cfg.get(StackOptions.CLICKHOUSE_CONFIG_TEMPLATE));
    for (String f : List.of("config.xml", "users.xml")) {
      if (!Files.isRegularFile(template.resolve(f))) {
        throw new StackException(
            "ClickHouse config template " + template.resolve(f) + " not found (set "
                + StackOptions.CLICKHOUSE_CONFIG_TEMPLATE.key() + " / "
                + StackOptions.CLICKHOUSE_CONFIG_TEMPLATE.envName() + ", or run " + INSTALL_COMMAND + ")");
      }
    }
    ClickHouseConfig.Settings s = settings();
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(home.resolve("logs"));
    ClickHouseConfig.write(
        ClickHouseConfig.renderUsers(ClickHouseConfig.parse(template.resolve("users.xml")), s),
        dir.resolve("users.xml"));
    ClickHouseConfig.write(
        ClickHouseConfig.renderServer(ClickHouseConfig.parse(template.resolve("config.xml")), s),
        configFile);
  }

  private void ensureInstalled(StackListener listener) throws IOException, InterruptedException {
    Path binary = Path.of(cfg.get(StackOptions.CLICKHOUSE_BINARY));
    if (Files.isExecutable(binary)) {
      return;
    }
    boolean defaultBinary = binary.toString().equals(StackOptions.CLICKHOUSE_BINARY.defaultValue());
    if (!defaultBinary) {
      throw new StackException(
          "ClickHouse server " + binary + " not found (" + StackOptions.CLICKHOUSE_BINARY.key() + " / "
              + StackOptions.CLICKHOUSE_BINARY.envName() + ")");
    }
    if (!isRoot()) {
      throw new StackException("ClickHouse server is not installed: run sudo " + INSTALL_COMMAND.replace("&& ", "&& sudo "));
    }
    listener.progress(Service.CLICKHOUSE, "installing clickhouse-server with apt-get (log: " + installLog() + ")");
    runInstallStep(List.of("apt-get", "update"));
    runInstallStep(List.of("apt-get", "install", "-y", "clickhouse-server", "clickhouse-client"));
    if (!Files.isExecutable(binary)) {
      throw new StackException("apt-get installed clickhouse-server but " + binary + " is missing (log: " + installLog() + ")");
    }
  }

  private Path installLog() {
    return home.resolve("logs").resolve("clickhouse-install.log");
  }

  private void runInstallStep(List<String> command) throws IOException, InterruptedException {
    Files.createDirectories(installLog().getParent());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(installLog().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new StackException(String.join(" ", command) + " failed (log: " + installLog() + ")");
    }
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  @Override
  public List<String> command() {
    return List.of(cfg.get(StackOptions.CLICKHOUSE_BINARY), "--config-file=" + configFile);
  }

  @Override
  public String processIdentity() {
    return configFile.toString();
  }

  @Override
  public Path logFile() {
    return home.resolve("logs").resolve("clickhouse.log");
  }

  @Override
  public Path consoleFile() {
    return home.resolve("logs").resolve("clickhouse.out");
  }

  @Override
  public Health check() {
    String base = address().endsWith("/") ? address().substring(0, address().length() - 1) : address();
    try {
      HttpResponse<String> ping =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/ping")).timeout(Duration.ofSeconds(3)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (ping.statusCode() != 200 || !ping.body().trim().equals("Ok.")) {
        return Health.failed("GET /ping answered " + ping.statusCode() + " " + abbreviate(ping.body()));
      }
      String credentials = cfg.get(ClickHouseOptions.USER) + ":" + cfg.get(ClickHouseOptions.PASSWORD);
      HttpResponse<String> version =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/"))
                  .timeout(Duration.ofSeconds(3))
                  .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                  .POST(HttpRequest.BodyPublishers.ofString("SELECT version()"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (version.statusCode() != 200) {
        return Health.failed("SELECT version() answered " + version.statusCode() + " " + abbreviate(version.body()));
      }
      return Health.ok("ClickHouse " + version.body().trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.failed("interrupted");
    } catch (IOException | IllegalArgumentException e) {
      return Health.failed("HTTP request to " + base + " failed: " + KafkaService.rootMessage(e));
    }
  }

  private static String abbreviate(String body) {
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
  }
}
