package io.tidemark.generator;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends a {@link TrafficPlan} to the events topic at the spec's rate and returns its
 * {@link GroundTruth}.
 *
 * <p>The producer is idempotent with {@code acks=all}, so a retried send never duplicates a record:
 * the only duplicates in the topic are the ones the plan meant to send. Any send that fails for
 * good aborts the run with the error (the ground truth would be wrong otherwise).
 *
 * <pre>{@code
 * GroundTruth truth = TrafficGenerator.builder().config(resolvedConfig).spec(spec).build().run(null);
 * }</pre>
 */
public final class TrafficGenerator {
  private final TidemarkConfig config;
  private final GeneratorSpec spec;
  private final boolean paced;
  private final ValueEncoder values;
  private volatile double achievedRate;
  private volatile long elapsedMs;

  private TrafficGenerator(TidemarkConfig config, GeneratorSpec spec, boolean paced, ValueEncoder values) {
    this.config = config;
    this.spec = spec;
    this.paced = paced;
    this.values = values;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Produces every record of the plan, then flushes.
   *
   * @param listener progress callback, may be {@code null}
   * @throws GeneratorException when a record could not be delivered
   */
  public GroundTruth run(GeneratorListener listener) {
    preflight();
    TrafficPlan plan = new TrafficPlan(spec, System.currentTimeMillis());
    GroundTruth truth = new GroundTruth();
    String topic = config.get(KafkaOptions.EVENTS_TOPIC);
    long total = spec.totalRecords();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long lastReport = start;
    double nanosPerRecord = 1e9 / spec.rate();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties())) {
      long i = 0;
      for (GeneratedRecord r : plan) {
        if (failure.get() != null) {
          break;
        }
        if (paced) {
          long due = start + (long) (i * nanosPerRecord);
          long wait = due - System.nanoTime();
          if (wait > 200_000) {
            LockSupport.parkNanos(wait);
          }
        }
        producer.send(new ProducerRecord<>(topic, r.key(), values.encode(r, i)), (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
        truth.add(r);
        i++;
        long now = System.nanoTime();
        if (listener != null && now - lastReport > 100_000_000L) {
          listener.onProgress(i, total);
          lastReport = now;
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new GeneratorException("Producing to " + topic + " failed: " + failure.get().getMessage(), failure.get());
    }
    elapsedMs = Math.max(1, (System.nanoTime() - start) / 1_000_000);
    achievedRate = truth.produced() * 1000.0 / elapsedMs;
    if (listener != null) {
      listener.onProgress(truth.produced(), total);
    }
    return truth;
  }

  /** Fails fast, naming the fix, when the broker is unreachable or the topic was never created. */
  public void preflight() {
    String topic = config.get(KafkaOptions.EVENTS_TOPIC);
    String bootstrap = config.get(KafkaOptions.BOOTSTRAP);
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(config));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(p)) {
      admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new GeneratorException("Topic " + topic + " does not exist on " + bootstrap
            + ": run ./tidemark migrate", e.getCause());
      }
      throw new GeneratorException("Cannot reach Kafka at " + bootstrap + " (check tidemark.kafka.bootstrap / "
          + KafkaOptions.BOOTSTRAP.envName() + "): " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new GeneratorException("Cannot reach Kafka at " + bootstrap + " within 15 s (check tidemark.kafka.bootstrap / "
          + KafkaOptions.BOOTSTRAP.envName() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GeneratorException("Interrupted while checking topic " + topic, e);
    }
  }

  /** Records per second actually achieved by the last {@link #run}, flush included. */
  public double achievedRate() {
    return achievedRate;
  }

  /** Wall time of the last {@link #run}, flush included. */
  public Duration elapsed() {
    return Duration.ofMillis(elapsedMs);
  }

  private Map<String, Object> producerProperties() {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(config));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tidemark-generator");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /** Builder; {@code config} must have {@code tidemark.kafka.bootstrap} resolved. */
  public static final class Builder {
    private TidemarkConfig config;
    private GeneratorSpec spec;
    private boolean paced = true;
    private ValueEncoder values = ValueEncoder.JSON;

    public Builder config(TidemarkConfig v) { config = v; return this; }
    public Builder spec(GeneratorSpec v) { spec = v; return this; }
    /** {@code false} sends as fast as the broker takes it (backlog loading for benchmarks). */
    public Builder paced(boolean v) { paced = v; return this; }
    /** The wire format of the values ({@link ValueEncoder#JSON} by default, or {@link AvroValues}). */
    public Builder values(ValueEncoder v) { values = Objects.requireNonNull(v, "values"); return this; }

    public TrafficGenerator build() {
      Objects.requireNonNull(config, "Property config is required but not provided");
      Objects.requireNonNull(spec, "Property spec is required but not provided");
      config.require(KafkaOptions.BOOTSTRAP);
      return new TrafficGenerator(config, spec, paced, values);
    }
  }
}
