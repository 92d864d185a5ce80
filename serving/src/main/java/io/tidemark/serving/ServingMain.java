package io.tidemark.serving;

import io.tidemark.core.config.ServingOptions;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark serve}: runs the HTTP API and dashboard until the process is stopped. The CLI
 * starts it in a child JVM on {@code serving/target/classpath.txt} with {@code TIDEMARK_CONFIG}
 * pointing at the resolved configuration.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the JSON API, the live dashboard (/), /openapi.json and /metrics, reading ClickHouse as the read-only user.",
      "Configuration: --config, else TIDEMARK_CONFIG, then TIDEMARK_* environment variables, then -D key=value."
    })
public final class ServingMain implements Callable<Integer> {
  @Option(names = "--config", description = "Properties file with tidemark.* keys (default: TIDEMARK_CONFIG).")
  Path config;

  @Option(names = "-D", paramLabel = "key=value", description = "Override one configuration key.")
  Map<String, String> overrides = Map.of();

  @Option(names = "--port", description = "Overrides tidemark.serving.port.")
  Integer port;

  /** Every option this process reads: serving's own, ClickHouse's and Kafka's (consumer lag). */
  public static List<ConfigOption<?>> options() {
    List<ConfigOption<?>> all = new ArrayList<>(ServingOptions.all());
    all.addAll(ClickHouseOptions.all());
    all.addAll(io.tidemark.core.config.KafkaOptions.all());
    return all;
  }

  @Override
  public Integer call() throws Exception {
    TidemarkConfig cfg = TidemarkConfig.load(config, System.getenv(), overrides, options()).validate(options());
    if (port != null) {
      cfg = cfg.with(ServingOptions.PORT, port);
    }
    ServingServer server = ServingServer.start(cfg);
    System.out.println("Tidemark dashboard: " + server.url() + "/  (API spec " + server.url() + "/openapi.json, metrics " + server.url() + "/metrics)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "serving-shutdown"));
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new ServingMain());
    cl.getCommandSpec().usageMessage().footer(io.tidemark.core.cli.SettingsHelp.prepend(
        ServingOptions.all(), cl.getCommandSpec().usageMessage().footer()));
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException) {
        commandLine.getErr().println("tidemark serve: " + e.getMessage());
        return 2;
      }
      commandLine.getErr().println("tidemark serve: " + e);
      return 1;
    });
    System.exit(cl.execute(args));
  }
}
