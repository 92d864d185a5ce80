package io.tidemark.serving.health;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.serving.internal.RateLimitedLog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group is behind the end of the events topic: the sum over partitions of
 * (end offset - committed offset), from Kafka's admin API. The speed layer commits its offsets
 * on checkpoints and the Connect sink on its commits, so the lag is as fresh as their last
 * commit. Read-only: nothing is committed or changed. Thread-safe.
 */
public final class ConsumerLag implements AutoCloseable {
  private static final long TIMEOUT_MS = 2_000;

  private final Admin admin;
  private final String topic;
  private final RateLimitedLog log;

  /** Lag of one group; {@code lag} is null when the status is not {@code ok}. */
  public record Lag(String group, String topic, String status, Long lag, int partitions, String message) {}

  private ConsumerLag(Admin admin, String topic, RateLimitedLog log) {
    this.admin = admin;
    this.topic = topic;
    this.log = log;
  }

  /**
   * A reader for the configured broker and events topic, or null when no broker is configured.
   *
   * @param log where Kafka's own error text goes: health shows callers only that Kafka failed
   */
  public static ConsumerLag fromConfig(TidemarkConfig cfg, RateLimitedLog log) {
    if (!cfg.isSet(KafkaOptions.BOOTSTRAP)) {
      return null;
    }
    Map<String, Object> props = new HashMap<>(KafkaOptions.clientProperties(cfg));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidemark-serving-health");
    return new ConsumerLag(Admin.create(props), cfg.get(KafkaOptions.EVENTS_TOPIC), log);
  }

  /**
   * The lag of each group on the events topic, in one round of admin calls bounded by about 2 s
   * in all; never throws (failures become a status and message per group).
   */
  public Map<String, Lag> lags(List<String> groups) {
    Map<String, Lag> out = new java.util.LinkedHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends;
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(left(deadline), TimeUnit.NANOSECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      ends = admin.listOffsets(latest).all().get(left(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      String why = failure(e);
      groups.forEach(g -> out.put(g, new Lag(g, topic, "unknown", null, 0, "Cannot read the end offsets of " + topic + ": " + why)));
      return out;
    }
    for (String group : groups) {
      try {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(left(deadline), TimeUnit.NANOSECONDS);
        long lag = 0;
        int withOffsets = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          if (c != null) {
            withOffsets++;
            lag += Math.max(0, e.getValue().offset() - c.offset());
          } else {
            lag += e.getValue().offset(); // nothing committed there: all of it is still to be read
          }
        }
        out.put(group, withOffsets == 0
            ? new Lag(group, topic, "no_offsets", null, ends.size(),
                "Consumer group " + group + " has committed no offsets on " + topic + " (not started yet?)")
            : new Lag(group, topic, "ok", lag, ends.size(), null));
      } catch (ExecutionException | TimeoutException | InterruptedException e) {
        out.put(group, new Lag(group, topic, "unknown", null, 0, "Cannot read the offsets of " + group + ": " + failure(e)));
      }
    }
    return out;
  }

  private static long left(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }

  /** What callers of /api/health learn: no broker address or exception; Kafka's own text is logged. */
  private String failure(Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    Throwable cause = e.getCause() == null ? e : e.getCause();
    if (e instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "Kafka did not answer within " + TIMEOUT_MS + " ms";
    }
    log.warn("kafka-" + cause.getClass().getName(), "Reading consumer lag on " + topic + " from Kafka failed: " + cause);
    return "Kafka failed the request (details are in the serving layer's log)";
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
