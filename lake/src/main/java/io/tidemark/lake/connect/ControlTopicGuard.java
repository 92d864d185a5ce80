package io.tidemark.lake.connect;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the control topic of Iceberg's sink before a worker starts, closing two loss windows
 * of Iceberg 1.10.1's coordinator:
 *
 * <ul>
 *   <li>The topic is created by Tidemark (one partition, the configured retention), never
 *       auto-created with broker defaults.
 *   <li>The coordinator's consumer group ({@code connect-<name>-coord}) commits control-topic
 *       offsets only after its first table commit, and Iceberg creates its consumer with {@code
 *       auto.offset.reset=latest}. A coordinator that starts without a committed offset (first run
 *       crashed before its first commit) or with one that retention has passed would therefore
 *       skip data files that workers announced and whose source offsets are already committed:
 *       silent loss (apache/iceberg#17551, PR 18006). This guard commits the partition's log
 *       start offset for the group in both cases; announcements older than the last table commit
 *       are then filtered by the coordinator against the offsets stored in the snapshot summary,
 *       so re-reading them cannot duplicate.
 * </ul>
 *
 * <p>Idempotent. Only run it while no coordinator of the connector is alive: the committed offset
 * of a live group cannot be changed (it then retries until the dead member's session expires).
 */
public final class ControlTopicGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ControlTopicGuard.class);

  private ControlTopicGuard() {}

  /** What the guard did, for logs and tests. */
  public record Outcome(boolean topicCreated, Long seededOffset) {}

  public static Outcome prepare(TidemarkConfig cfg, Duration timeout) {
    Map<String, Object> props = new HashMap<>(ArchiveConnectorConfig.kafkaClient(cfg));
    String topic = cfg.get(LakeArchiveOptions.CONTROL_TOPIC);
    String group = ArchiveConnectorConfig.coordinatorGroupId(cfg);
    try (Admin admin = Admin.create(props)) {
      boolean created = createTopic(admin, cfg, topic);
      TopicPartition tp = new TopicPartition(topic, 0);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          return new Outcome(created, seed(admin, group, tp));
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Cannot seed offsets of " + group + " on " + tp + ": " + e.getCause().getMessage()
                    + " (is another lake worker running?)", e.getCause());
          }
          LOG.info("Coordinator group {} still has members (a crashed worker?); retrying: {}",
              group, e.getCause().getMessage());
          Thread.sleep(1000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while preparing " + topic, e);
    }
  }

  private static boolean createTopic(Admin admin, TidemarkConfig cfg, String topic)
      throws InterruptedException {
    NewTopic t = new NewTopic(topic, 1, cfg.get(KafkaOptions.REPLICATION_FACTOR).shortValue())
        .configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(cfg.get(LakeArchiveOptions.CONTROL_TOPIC_RETENTION).toMillis()),
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
    try {
      admin.createTopics(List.of(t)).all().get();
      LOG.info("Created control topic {}", topic);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw new IllegalStateException("Cannot create control topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  private static Long seed(Admin admin, String group, TopicPartition tp)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    ListOffsetsResult.ListOffsetsResultInfo start =
        admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get();
    OffsetAndMetadata current = committed == null ? null : committed.get(tp);
    if (current != null && current.offset() >= start.offset()) {
      return null;
    }
    LOG.warn(
        "Coordinator group {} has {} on {}; committing the log start offset {} so no announced file is skipped",
        group, current == null ? "no committed offset" : "offset " + current.offset() + " below the log start", tp,
        start.offset());
    admin.alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(start.offset()))).all().get();
    return start.offset();
  }
}
