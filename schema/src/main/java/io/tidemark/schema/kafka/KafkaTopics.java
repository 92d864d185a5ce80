package io.tidemark.schema.kafka;

import io.tidemark.core.config.ConfigException;
import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.schema.StatementFailedException;
import io.tidemark.schema.StoreAccessDeniedException;
import io.tidemark.schema.StoreException;
import io.tidemark.schema.StoreUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Tidemark's Kafka topics ({@code pageview_events}, its dead-letter and its late topic,
 * names from {@link KafkaOptions}) with the configured partitions and replication factor.
 *
 * <p><b>Idempotent</b>: existing topics are left as they are, a second run creates nothing, and a
 * topic created concurrently by someone else counts as existing. An existing topic with fewer
 * partitions than configured is reported ({@link TopicOutcome.Status#EXISTS_WITH_FEWER_PARTITIONS})
 * and logged, not changed: adding partitions re-maps keys to partitions, which is an operator's
 * decision. If a run fails part-way, the topics created so far stay and the next run creates the
 * rest.
 */
public final class KafkaTopics {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
  /** How long admin calls may take before the broker counts as unreachable. */
  static final long TIMEOUT_SECONDS = 15;

  private KafkaTopics() {}

  /** What a run found or did for one topic. */
  public record TopicOutcome(String topic, Status status, int configuredPartitions, int actualPartitions) {
    /** Created, already there, or already there with fewer partitions than configured. */
    public enum Status {
      CREATED,
      EXISTS,
      EXISTS_WITH_FEWER_PARTITIONS
    }
  }

  /** Tidemark's topic names in the configuration, events topic first, without duplicates. */
  public static List<String> topicNames(TidemarkConfig config) {
    Set<String> names = new LinkedHashSet<>();
    names.add(config.get(KafkaOptions.EVENTS_TOPIC));
    names.add(config.get(KafkaOptions.DLQ_TOPIC));
    names.add(config.get(KafkaOptions.LATE_TOPIC));
    return List.copyOf(names);
  }

  /**
   * Creates the missing topics on {@code tidemark.kafka.bootstrap}.
   *
   * @return one outcome per topic, in {@link #topicNames} order
   * @throws ConfigException when the bootstrap is unset or partitions/replication are not positive
   * @throws StoreUnavailableException when the broker does not answer within 15 s
   * @throws StoreAccessDeniedException when the cluster refuses authentication or authorization
   */
  public static List<TopicOutcome> migrate(TidemarkConfig config) {
    int partitions = positive(config, KafkaOptions.PARTITIONS);
    short replication = (short) positive(config, KafkaOptions.REPLICATION_FACTOR);
    String bootstrap = config.require(KafkaOptions.BOOTSTRAP);
    List<String> names = topicNames(config);
    try (Admin admin = Admin.create(adminProperties(config))) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<TopicOutcome> outcomes = new ArrayList<>();
      for (String name : names) {
        if (existing.contains(name) || !create(admin, name, partitions, replication)) {
          outcomes.add(describe(admin, name, partitions));
        } else {
          LOG.info("Created Kafka topic {} with {} partitions at {}", name, partitions, bootstrap);
          outcomes.add(new TopicOutcome(name, TopicOutcome.Status.CREATED, partitions, partitions));
        }
      }
      awaitVisible(admin, names);
      return outcomes;
    } catch (ExecutionException e) {
      throw translate(bootstrap, e.getCause());
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "Cannot reach Kafka at " + bootstrap + " within " + TIMEOUT_SECONDS + " s (check "
              + KafkaOptions.BOOTSTRAP.key() + " / " + KafkaOptions.BOOTSTRAP.envName() + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("Interrupted while talking to Kafka at " + bootstrap, e);
    }
  }

  /**
   * Waits until every topic can be described with all its partitions led. CreateTopics returns
   * once the controller accepted the topics, before every broker serves their metadata; a
   * producer or consumer started right after migrate would otherwise see "unknown topic".
   */
  private static void awaitVisible(Admin admin, List<String> names)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        Map<String, TopicDescription> d =
            admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        boolean led = d.values().stream()
            .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (led) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw new StoreUnavailableException("Cannot describe topics " + names + ": " + e.getCause().getMessage(), e.getCause());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("Topics " + names + " not visible within " + TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(100);
    }
  }

  /** Returns false when the topic turned out to exist already (created concurrently). */
  private static boolean create(Admin admin, String name, int partitions, short replication)
      throws ExecutionException, InterruptedException, TimeoutException {
    try {
      admin.createTopics(List.of(new NewTopic(name, partitions, replication)))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw e;
    }
  }

  private static TopicOutcome describe(Admin admin, String name, int configured)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<String, TopicDescription> d =
        admin.describeTopics(List.of(name)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    int actual = d.get(name).partitions().size();
    if (actual < configured) {
      LOG.warn(
          "Kafka topic {} exists with {} partitions, fewer than the configured {} ({}); left unchanged",
          name, actual, configured, KafkaOptions.PARTITIONS.key());
      return new TopicOutcome(name, TopicOutcome.Status.EXISTS_WITH_FEWER_PARTITIONS, configured, actual);
    }
    return new TopicOutcome(name, TopicOutcome.Status.EXISTS, configured, actual);
  }

  /** Admin client properties for Tidemark's cluster, including security settings when given. */
  public static Properties adminProperties(TidemarkConfig config) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(KafkaOptions.BOOTSTRAP));
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, config.get(KafkaOptions.SECURITY_PROTOCOL));
    if (config.isSet(KafkaOptions.SASL_MECHANISM)) {
      p.put(SaslConfigs.SASL_MECHANISM, config.get(KafkaOptions.SASL_MECHANISM));
    }
    if (config.isSet(KafkaOptions.SASL_JAAS_CONFIG)) {
      p.put(SaslConfigs.SASL_JAAS_CONFIG, config.get(KafkaOptions.SASL_JAAS_CONFIG));
    }
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidemark-migrate");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    return p;
  }

  private static int positive(TidemarkConfig config, ConfigOption<Integer> option) {
    int v = config.get(option);
    if (v <= 0 || (option == KafkaOptions.REPLICATION_FACTOR && v > Short.MAX_VALUE)) {
      throw new ConfigException(
          "Invalid value '" + v + "' for " + option.key() + " (" + option.envName() + "): expected a positive number");
    }
    return v;
  }

  private static StoreException translate(String bootstrap, Throwable cause) {
    if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
      return new StoreAccessDeniedException(
          "Kafka at " + bootstrap + " refused Tidemark: " + cause.getMessage() + " (check "
              + KafkaOptions.SECURITY_PROTOCOL.key() + ", " + KafkaOptions.SASL_MECHANISM.key() + " and "
              + KafkaOptions.SASL_JAAS_CONFIG.key() + ")",
          cause);
    }
    if (cause instanceof RetriableException) {
      return new StoreUnavailableException(
          "Cannot reach Kafka at " + bootstrap + ": " + cause.getMessage() + " (check "
              + KafkaOptions.BOOTSTRAP.key() + " / " + KafkaOptions.BOOTSTRAP.envName() + ")",
          cause);
    }
    return new StatementFailedException(
        "Kafka at " + bootstrap + " rejected topic creation: " + cause.getMessage(), -1, false, cause);
  }
}
