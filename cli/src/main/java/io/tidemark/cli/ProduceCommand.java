package io.tidemark.cli;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.generator.GeneratorSpec;
import io.tidemark.generator.GroundTruth;
import io.tidemark.generator.TrafficGenerator;
import io.tidemark.stack.StackOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./tidemark produce}: sample traffic into Kafka plus its exact ground truth. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Stream sample page views to Kafka and write their exact ground truth.",
      "",
      "Writes seed-format events to the events topic (key user_id, idempotent producer) at a steady rate,",
      "with optional out-of-order, too-late, duplicate and invalid records, and a ground-truth file with the",
      "exact expected counts per user/window and page/window and the numbers of each kind of record."
    })
final class ProduceCommand implements Callable<Integer> {
  static final ConfigOption<String> TRUTH_DIR =
      ConfigOption.stringKey("tidemark.generator.truth-dir")
          .description("Folder for ground-truth files of produce runs (default: <stack home>/ground-truth).");

  static List<ConfigOption<?>> options() {
    return List.of(TRUTH_DIR);
  }

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--rate", defaultValue = "1000", description = "Records per second, all kinds included (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to produce, e.g. 60s, 5m (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--users", defaultValue = "100", description = "Distinct users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--pages", defaultValue = "20", description = "Distinct pages (default: ${DEFAULT-VALUE}).")
  int pages;

  @Option(names = "--seed", description = {"Random seed; with --start-time it fixes every record (default: a new one each run,",
      "printed: event_ids derive from it, and two runs with one seed on one day would repeat them,",
      "which the batch layer rightly counts once)."})
  Long seed;

  @Option(names = "--start-time", paramLabel = "ISO-INSTANT",
      description = "Event time of the first record, e.g. 2026-11-24T00:00:00Z (default: now).")
  Instant startTime;

  @Option(names = "--out-of-order-ms", defaultValue = "0",
      description = "On-time events lie up to this many ms behind the stream (default: ${DEFAULT-VALUE}).")
  long outOfOrderMs;

  @Option(names = "--late-fraction", defaultValue = "0", description = "Share of too-late records (default: ${DEFAULT-VALUE}).")
  double lateFraction;

  @Option(names = "--late-by", defaultValue = "10m", converter = DurationConverter.class,
      description = "How far behind the stream too-late records lie (default: ${DEFAULT-VALUE}).")
  Duration lateBy;

  @Option(names = "--duplicate-fraction", defaultValue = "0", description = "Share of redelivered records (default: ${DEFAULT-VALUE}).")
  double duplicateFraction;

  @Option(names = "--invalid-fraction", defaultValue = "0", description = "Share of records breaking the contract (default: ${DEFAULT-VALUE}).")
  double invalidFraction;

  @Option(names = "--truth-out", paramLabel = "FILE", description = "Where to write the ground truth (default: <truth dir>/produce-<time>.json).")
  Path truthOut;

  @Option(names = "--unpaced", description = "Send as fast as the broker accepts (loading a backlog).")
  boolean unpaced;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro|mixed",
      description = {"Wire format of the values: json (seed format), avro (Confluent wire format, the writer schema",
          "registered under tidemark.schema-registry.subject), or mixed (every second record JSON) (default: ${DEFAULT-VALUE})."})
  String format;

  @Option(names = "--avro-schema", paramLabel = "FILE.avsc",
      description = "Writer schema for --format avro/mixed (default: Tidemark's pageview.avsc); must have the contract's fields.")
  Path avroSchema;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TidemarkConfig config = global.resolved();
    long runSeed = seedOrNew(seed);
    GeneratorSpec genSpec = GeneratorSpec.builder()
        .rate(rate).duration(duration).users(users).pages(pages).seed(runSeed).startTime(startTime)
        .outOfOrderMs(outOfOrderMs).lateFraction(lateFraction).lateBy(lateBy)
        .duplicateFraction(duplicateFraction).invalidFraction(invalidFraction)
        .build();
    Path truthFile = truthOut != null ? truthOut : defaultTruthFile(config);
    io.tidemark.generator.ValueEncoder values = values(config);
    TrafficGenerator generator = TrafficGenerator.builder().config(config).spec(genSpec).paced(!unpaced).values(values).build();
    generator.preflight();
    GroundTruth truth;
    if (json) {
      truth = generator.run(null);
    } else {
      out.printf("Producing %,d records to %s at %s (%s, seed %d)%n", genSpec.totalRecords(),
          config.get(KafkaOptions.EVENTS_TOPIC), config.get(KafkaOptions.BOOTSTRAP),
          unpaced ? "unpaced" : String.format("%.0f/s", rate), runSeed);
      out.flush();
      try (ProgressBar bar = new ProgressBarBuilder()
          .setTaskName("produce")
          .setInitialMax(genSpec.totalRecords())
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250)
          .showSpeed()
          .setUnit(" rec", 1)
          .build()) {
        truth = generator.run((sent, total) -> bar.stepTo(sent));
      }
    }
    truth.write(truthFile, genSpec);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("topic", config.get(KafkaOptions.EVENTS_TOPIC));
    summary.put("produced", truth.produced());
    summary.put("valid_distinct", truth.validDistinct());
    summary.put("duplicates", truth.duplicates());
    summary.put("too_late", truth.tooLate());
    summary.put("invalid", truth.invalid());
    summary.put("invalid_by_reason", truth.invalidByReason());
    summary.put("elapsed_ms", generator.elapsed().toMillis());
    summary.put("achieved_rate_per_s", Math.round(generator.achievedRate()));
    summary.put("start_time", genSpec.startTime().toString());
    summary.put("format", format.trim().toLowerCase(java.util.Locale.ROOT));
    summary.put("ground_truth", truthFile.toAbsolutePath().toString());
    if (json) {
      Output.json(out, summary);
    } else {
      out.printf("Produced %,d records in %.1f s: %,.0f records/s achieved%n",
          truth.produced(), generator.elapsed().toMillis() / 1000.0, generator.achievedRate());
      out.printf("  valid distinct %,d | duplicates %,d | too late %,d | invalid %,d %s%n",
          truth.validDistinct(), truth.duplicates(), truth.tooLate(), truth.invalid(), truth.invalidByReason());
      out.printf("Ground truth: %s%n", truthFile.toAbsolutePath());
    }
    return 0;
  }

  /** The encoder of {@code --format}; a bad value or schema file is a usage error naming the fix. */
  private io.tidemark.generator.ValueEncoder values(TidemarkConfig config) {
    String f = format.trim().toLowerCase(java.util.Locale.ROOT);
    if (f.equals("json")) {
      return io.tidemark.generator.ValueEncoder.JSON;
    }
    if (!f.equals("avro") && !f.equals("mixed")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Invalid value '" + format + "' for --format: expected json, avro or mixed");
    }
    org.apache.avro.Schema writer = io.tidemark.core.event.PageViewAvro.SCHEMA;
    if (avroSchema != null) {
      try {
        writer = new org.apache.avro.Schema.Parser().parse(java.nio.file.Files.readString(avroSchema));
      } catch (java.io.IOException | org.apache.avro.SchemaParseException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "Cannot read --avro-schema " + avroSchema + ": " + e.getMessage());
      }
    }
    if (io.tidemark.core.event.WriterSchemas.resolveAgainstContract(0, writer.toString())
        instanceof io.tidemark.core.event.WriterSchemas.Resolved.Incompatible bad) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--avro-schema " + avroSchema + " cannot carry the contract: " + bad.detail().replace("schema id 0 ", ""));
    }
    return io.tidemark.generator.AvroValues.registered(config, writer, f.equals("mixed") ? 2 : 0);
  }

  private static Path defaultTruthFile(TidemarkConfig config) {
    Path dir = config.get(TRUTH_DIR) != null
        ? Path.of(config.get(TRUTH_DIR))
        : StackOptions.home(config).resolve("ground-truth");
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    return dir.resolve("produce-" + stamp + ".json");
  }

  /** The seed given, else a fresh one: a fixed default would repeat event_ids across runs. */
  static long seedOrNew(Long given) {
    return given != null ? given : new java.security.SecureRandom().nextLong();
  }
}
