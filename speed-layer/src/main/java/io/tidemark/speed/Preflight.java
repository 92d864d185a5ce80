package io.tidemark.speed;

import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseErrors;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.speed.sink.ClickHouseCountStore;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks before the job starts that Kafka and ClickHouse are reachable, the credentials work and the
 * topics and tables exist, so that bad configuration fails in seconds with one line naming the
 * setting to fix, instead of a Flink job restarting forever.
 */
public final class Preflight {
  private static final int TIMEOUT_S = 15;

  private Preflight() {}

  /**
   * @throws ConfigException with a one-line message naming the key to fix
   */
  public static void check(TidemarkConfig cfg) {
    checkKafka(cfg);
    checkClickHouse(cfg);
  }

  static void checkKafka(TidemarkConfig cfg) {
    String bootstrap = cfg.require(KafkaOptions.BOOTSTRAP);
    Properties p = SpeedLayerJob.kafkaClientProperties(cfg);
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_S * 1000));
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_S * 1000));
    p.setProperty(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    List<String> topics =
        List.of(
            cfg.get(KafkaOptions.EVENTS_TOPIC), cfg.get(KafkaOptions.DLQ_TOPIC), cfg.get(KafkaOptions.LATE_TOPIC));
    try (QuietConnectionWarnings quiet = QuietConnectionWarnings.start(); Admin admin = Admin.create(p)) {
      try {
        admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // the future's timeout and the admin client's own one (same length) race: both mean unreachable
        if (e instanceof ExecutionException ee && !(ee.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
          throw ee;
        }
        throw new ConfigException(
            "Cannot reach Kafka at " + bootstrap + " within " + TIMEOUT_S + " s: check "
                + KafkaOptions.BOOTSTRAP.key() + " (" + KafkaOptions.BOOTSTRAP.envName() + ")");
      }
      for (String topic : topics) {
        try {
          describeTopic(admin, topic);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            throw new ConfigException(
                "Kafka topic " + topic + " does not exist at " + bootstrap
                    + ": run ./tidemark migrate, or check the tidemark.kafka.*-topic settings");
          }
          throw e;
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
        throw new ConfigException(
            "Kafka at " + bootstrap + " rejected the credentials (" + c.getMessage() + "): check "
                + KafkaOptions.SASL_JAAS_CONFIG.key() + " and " + KafkaOptions.SASL_MECHANISM.key());
      }
      throw new ConfigException(
          "Cannot use Kafka at " + bootstrap + ": " + c.getMessage() + " (check " + KafkaOptions.BOOTSTRAP.key() + ")");
    } catch (TimeoutException e) {
      throw new ConfigException(
          "Kafka at " + bootstrap + " did not answer within " + TIMEOUT_S + " s: check " + KafkaOptions.BOOTSTRAP.key());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("Interrupted while checking Kafka at " + bootstrap);
    }
  }

  /** Describes a topic, waiting up to 3 s for a just-created topic's metadata to propagate. */
  private static void describeTopic(Admin admin, String topic)
      throws ExecutionException, InterruptedException, TimeoutException {
    for (int attempt = 0; ; attempt++) {
      try {
        admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt >= 6) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  static void checkClickHouse(TidemarkConfig cfg) {
    String url = cfg.require(ClickHouseOptions.URL);
    String user = cfg.get(ClickHouseOptions.USER);
    String database = cfg.get(ClickHouseOptions.DATABASE);
    try (Client client = ClickHouseClients.newClient(url, user, cfg.get(ClickHouseOptions.PASSWORD),
        java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(TIMEOUT_S))) {
      for (CountMetric m : CountMetric.values()) {
        String table = database + "." + ClickHouseCountStore.storeTable(m);
        try {
          client.query("SELECT 1 FROM " + table + " LIMIT 0").get(TIMEOUT_S, TimeUnit.SECONDS).close();
        } catch (ExecutionException e) {
          throw clickHouseFailure(url, user, table, e.getCause());
        } catch (TimeoutException e) {
          throw new ConfigException(
              "ClickHouse at " + url + " did not answer within " + TIMEOUT_S + " s: check " + ClickHouseOptions.URL.key());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConfigException("Interrupted while checking ClickHouse at " + url);
        } catch (ConfigException e) {
          throw e;
        } catch (Exception e) {
          throw clickHouseFailure(url, user, table, e);
        }
      }
    }
  }

  private static ConfigException clickHouseFailure(String url, String user, String table, Throwable t) {
    java.util.Optional<ServerException> server = ClickHouseErrors.serverException(t);
    if (server.isPresent()) {
      int code = ClickHouseErrors.code(server.get());
      if (ClickHouseErrors.isMissingObject(code)) {
        return new ConfigException(
            "ClickHouse table " + table + " does not exist at " + url + ": run ./tidemark migrate, or check "
                + ClickHouseOptions.DATABASE.key());
      }
      if (ClickHouseErrors.kind(code) == ClickHouseErrors.Kind.ACCESS) {
        return new ConfigException(
            "ClickHouse at " + url + " rejected user '" + user + "' (code " + code + "): check "
                + ClickHouseOptions.USER.key() + " and " + ClickHouseOptions.PASSWORD.key());
      }
      return new ConfigException("ClickHouse at " + url + " failed on " + table + " (code " + code + "): "
          + firstLine(server.get().getMessage()));
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new ConfigException(
        "Cannot reach ClickHouse at " + url + " (" + firstLine(String.valueOf(root.getMessage())) + "): check "
            + ClickHouseOptions.URL.key() + " (" + ClickHouseOptions.URL.envName() + ")");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Turns off the Kafka client's warning per failed connection attempt while the preflight probes
   * the broker (about one a second for 15 s against a dead address): the check's own one line says
   * what is wrong. Log4j only (the MiniCluster's and Flink's logging); with any other backend it
   * does nothing. Restores the level on close.
   */
  static final class QuietConnectionWarnings implements AutoCloseable {
    static final String LOGGER = "org.apache.kafka.clients.NetworkClient";
    private final Runnable restore;

    private QuietConnectionWarnings(Runnable restore) {
      this.restore = restore;
    }

    static QuietConnectionWarnings start() {
      try {
        org.apache.logging.log4j.Level before = org.apache.logging.log4j.LogManager.getLogger(LOGGER).getLevel();
        org.apache.logging.log4j.core.config.Configurator.setLevel(LOGGER, org.apache.logging.log4j.Level.ERROR);
        return new QuietConnectionWarnings(() -> org.apache.logging.log4j.core.config.Configurator.setLevel(LOGGER, before));
      } catch (LinkageError | RuntimeException e) {
        return new QuietConnectionWarnings(() -> {});
      }
    }

    @Override
    public void close() {
      restore.run();
    }
  }
}
