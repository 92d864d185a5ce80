package io.tidemark.cli;

import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.report.BenchmarkReport;
import io.tidemark.generator.GeneratedRecord;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.generator.TrafficPlan;
import io.tidemark.stack.StackOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tidemark bench ...}: benchmarks that write their results, as ratios against a baseline
 * measured in the same run, to docs/benchmarks.md. Not timed tests: these machines are shared.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Run a benchmark and write its figures (ratios against a same-run baseline) to docs/benchmarks.md.",
    subcommands = {BenchCommand.Produce.class, BenchCommand.Speed.class, BenchCommand.Lake.class,
        BenchCommand.Serve.class, BenchCommand.Batch.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "speed", description = {"Speed layer throughput vs a bare Kafka consumer+parse, per state backend; freshness;",
      "checkpoints; memory. Runs in the speed layer's JVM: './tidemark bench speed --help'."})
  static final class Speed extends LayerCommands.Delegate {
    @Override
    ChildJvm jvm() {
      // the benchmark's own JVM generates the backlog; the measured job runs in a JVM of its own
      // started with tidemark.speed.jvm-options, like './tidemark speed run'
      return new ChildJvm("speed-layer", "io.tidemark.speed.SpeedLayerMain").jvmArg("-Xmx2g");
    }

    @Override
    List<String> prefix() {
      return List.of("bench");
    }
  }

  @Command(name = "lake", description = {"Archive throughput vs a bare Kafka consumer, archive lag.",
      "Runs in the lake tool's JVM: './tidemark bench lake --help'."})
  static final class Lake extends LayerCommands.Delegate {
    @Override
    ChildJvm jvm() {
      return LayerCommands.lake();
    }

    @Override
    List<String> prefix() {
      return List.of("bench");
    }
  }

  @Command(name = "serve", description = {"Dashboard API requests/s and p99 at 16 clients vs the same SQL sent straight to ClickHouse.",
      "Runs in the serving JVM: './tidemark bench serve --help'."})
  static final class Serve extends LayerCommands.Delegate {
    @Override
    ChildJvm jvm() {
      return new ChildJvm("serving", "io.tidemark.serving.bench.ServeBenchMain").jvmArg("-Xmx1g");
    }

    @Override
    public Integer call() {
      return jvm().run(global.resolved(), args);
    }
  }

  @Command(name = "batch", description = {"Spark batch + reconcile + overwrite of one generated day (default 10M events, --events)",
      "vs ClickHouse's INSERT ... SELECT ... GROUP BY of the same day; peak Spark heap.",
      "Runs in the reconcile tool's JVM: './tidemark bench batch --help'."})
  static final class Batch extends LayerCommands.Delegate {
    @Override
    ChildJvm jvm() {
      // A 4 GiB heap: issue 6's ceiling for the Spark job, so a run that needs more fails instead of passing.
      return LayerCommands.Delegate.spark("reconcile", "io.tidemark.reconcile.bench.BatchBenchMain").jvmArg("-Xmx4g");
    }

    @Override
    public Integer call() {
      return jvm().run(global.resolved(), args);
    }
  }

  static Path reportFile() {
    return StackOptions.projectRoot(System.getenv(), Path.of("").toAbsolutePath()).resolve("docs/benchmarks.md");
  }

  @Command(name = "produce", mixinStandardHelpOptions = true,
      description = "Generator throughput against the broker vs a bare KafkaProducer sending the same pre-built records.")
  static final class Produce implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Option(names = "--records", defaultValue = "1000000", description = "Records per run (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--runs", defaultValue = "5", description = "Alternating runs of each side; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (records < 10_000 || runs < 1) {
        throw new UserFacingException("--records must be at least 10000 and --runs at least 1");
      }
      TidemarkConfig base = global.resolved();
      String topic = "tidemark_bench_produce";
      TidemarkConfig config = base.with(KafkaOptions.EVENTS_TOPIC, topic);
      recreateTopic(config, topic);
      GeneratorSpec genSpec = GeneratorSpec.builder().rate(records).duration(Duration.ofSeconds(1))
          .users(10_000).pages(500).seed(1).startTime(Instant.now())
          .outOfOrderMs(3_000).duplicateFraction(0.02).invalidFraction(0.01).build();
      List<GeneratedRecord> prebuilt = new ArrayList<>(records);
      new TrafficPlan(genSpec, System.currentTimeMillis()).forEach(prebuilt::add);

      // One discarded round warms up both JVM paths and the broker's log segments.
      bareProducer(config, topic, prebuilt.subList(0, records / 5));
      TrafficGenerator.builder().config(config).spec(genSpec).paced(false).build().run(null);
      List<Double> bare = new ArrayList<>();
      List<Double> gen = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        bare.add(bareProducer(config, topic, prebuilt));
        TrafficGenerator g = TrafficGenerator.builder().config(config).spec(genSpec).paced(false).build();
        g.run(null);
        gen.add(g.achievedRate());
        out.printf("run %d: bare producer %,.0f rec/s, generator %,.0f rec/s%n", i + 1, bare.get(i), gen.get(i));
        out.flush();
      }
      deleteTopic(config, topic);
      double b = median(bare);
      double g = median(gen);
      String md = String.format("""
          ## produce: traffic generator vs a bare Kafka producer

          Same broker (local stack, on the same 2 cores), same producer settings (idempotent, acks=all,
          lz4, linger 5 ms), %,d records per run, one discarded warm-up round, %d alternating runs, medians. The baseline sends
          pre-built records; the generator also builds each record and its ground truth.

          | Measure | Baseline (bare producer) | Generator | Ratio |
          |---|---|---|---|
          | records/s | %,.0f | %,.0f | %.2fx |

          Run at %s.
          """, records, runs, b, g, g / b, Instant.now());
      BenchmarkReport.writeSection(reportFile(), "produce", md);
      out.printf("generator %,.0f rec/s = %.2fx the bare producer (%,.0f rec/s); written to %s%n", g, g / b, b, reportFile());
      return 0;
    }

    private static double bareProducer(TidemarkConfig config, String topic, List<GeneratedRecord> records) {
      Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(config));
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      AtomicReference<Exception> failure = new AtomicReference<>();
      long start = System.nanoTime();
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
        for (GeneratedRecord r : records) {
          producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (md, ex) -> {
            if (ex != null) {
              failure.compareAndSet(null, ex);
            }
          });
        }
        producer.flush();
      }
      if (failure.get() != null) {
        throw new UserFacingException("Baseline producer failed: " + failure.get().getMessage());
      }
      return records.size() * 1e9 / (System.nanoTime() - start);
    }

    private static void recreateTopic(TidemarkConfig config, String topic) throws Exception {
      try (Admin admin = Admin.create(KafkaOptions.clientProperties(config))) {
        if (admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topic)) {
          admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
          Thread.sleep(1_000);
        }
        admin.createTopics(List.of(new NewTopic(topic, config.get(KafkaOptions.PARTITIONS),
            config.get(KafkaOptions.REPLICATION_FACTOR).shortValue()))).all().get(30, TimeUnit.SECONDS);
      }
    }

    private static void deleteTopic(TidemarkConfig config, String topic) throws Exception {
      try (Admin admin = Admin.create(KafkaOptions.clientProperties(config))) {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }

    private static double median(List<Double> v) {
      List<Double> s = new ArrayList<>(v);
      s.sort(Double::compare);
      return s.get(s.size() / 2);
    }
  }
}
