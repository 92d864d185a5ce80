package io.tidemark.cli;

import io.tidemark.core.config.JvmOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Commands that run an engine layer in its own JVM ({@link ChildJvm}): every argument after the
 * command name is handed to the layer's own picocli command line, so {@code --help} there lists
 * the layer's options.
 */
final class LayerCommands {
  private LayerCommands() {}

  /** JVM flags Spark 4 and Iceberg's S3FileIO need on Java 17 (see ENVIRONMENT.md). */
  static final List<String> SPARK_JVM = List.of(
      "-Xmx2g",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "-Daws.requestChecksumCalculation=when_required",
      "-Daws.responseChecksumValidation=when_required");

  /** The speed layer's JVM (Flink MiniCluster), with {@code tidemark.speed.jvm-options}. */
  static ChildJvm speedLayer(TidemarkConfig config) {
    ChildJvm jvm = new ChildJvm("speed-layer", "io.tidemark.speed.SpeedLayerMain");
    JvmOptions.split(config.get(JvmOptions.SPEED_LAYER)).forEach(jvm::jvmArg);
    return jvm;
  }

  /** The lake tool's JVM (Kafka Connect worker, Iceberg). */
  static ChildJvm lake() {
    return new ChildJvm("lake", "io.tidemark.lake.LakeMain")
        .jvmArg("-Xmx1g")
        .jvmArg("--add-opens=java.base/java.nio=ALL-UNNAMED")
        .jvmArg("-Daws.requestChecksumCalculation=when_required")
        .jvmArg("-Daws.responseChecksumValidation=when_required");
  }

  /** The reconcile tool's JVM (Spark, Iceberg, ClickHouse). */
  static ChildJvm reconcileTool() {
    return Delegate.spark("reconcile", "io.tidemark.reconcile.ReconcileMain");
  }

  /** The serving layer's JVM. */
  static ChildJvm serving() {
    return new ChildJvm("serving", "io.tidemark.serving.ServingMain").jvmArg("-Xmx512m");
  }

  /** Shared plumbing: global options plus pass-through arguments. */
  abstract static class Delegate implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Arguments passed to the layer's own command line.")
    List<String> args = new ArrayList<>();

    abstract ChildJvm jvm();

    /** Words put before the user's arguments (the layer's subcommand). */
    List<String> prefix() {
      return List.of();
    }

    @Override
    public Integer call() {
      List<String> all = new ArrayList<>(prefix());
      all.addAll(args.isEmpty() && prefix().isEmpty() ? List.of("--help") : args);
      return jvm().run(global.resolved(), all);
    }

    static ChildJvm spark(String module, String main) {
      ChildJvm jvm = new ChildJvm(module, main);
      SPARK_JVM.forEach(jvm::jvmArg);
      return jvm;
    }
  }

  @Command(name = "speed",
      description = {"Run the Flink speed layer (Kafka -> 1-minute counts -> ClickHouse).",
          "All arguments are passed to the speed layer: './tidemark speed --help' lists them."})
  static final class Speed extends Delegate {
    @Override
    ChildJvm jvm() {
      return speedLayer(global.resolved());
    }
  }

  @Command(name = "lake",
      description = {"Archive raw events into the Iceberg lake and inspect it (run, status, verify, import, maintain).",
          "All arguments are passed to the lake tool: './tidemark lake --help' lists them."})
  static final class Lake extends Delegate {
    @Override
    ChildJvm jvm() {
      return lake();
    }
  }

  @Command(name = "batch",
      description = {"Recompute authoritative counts for a UTC day from the lake (Spark): 'batch run --date 2026-11-24'.",
          "'./tidemark batch --help' lists the options."})
  static final class Batch extends Delegate {
    @Override
    ChildJvm jvm() {
      return spark("batch-layer", "io.tidemark.batch.BatchMain");
    }
  }

  @Command(name = "reconcile",
      description = {"Compare the batch counts of a day with ClickHouse, store the drift report, and replace drifted partitions.",
          "e.g. 'reconcile --date 2026-11-24 [--dry-run] [--json]'; './tidemark reconcile --help' lists the options."})
  static final class Reconcile extends Delegate {
    @Override
    ChildJvm jvm() {
      return reconcileTool();
    }

    @Override
    List<String> prefix() {
      return List.of("reconcile");
    }
  }

  @Command(name = "backfill",
      description = {"Batch + reconcile every day of a range, resumable: 'backfill --from 2026-11-01 --to 2026-11-24'.",
          "'./tidemark backfill --help' lists the options."})
  static final class Backfill extends Delegate {
    @Override
    ChildJvm jvm() {
      return reconcileTool();
    }

    @Override
    List<String> prefix() {
      return List.of("backfill");
    }
  }

  @Command(name = "drift",
      description = {"List stored drift reports or show one day in detail: 'drift [--from D1 --to D2] [--date D --details] [--json]'.",
          "'./tidemark drift --help' lists the options."})
  static final class Drift extends Delegate {
    @Override
    ChildJvm jvm() {
      return reconcileTool();
    }

    @Override
    List<String> prefix() {
      return List.of("drift");
    }
  }

  @Command(name = "days",
      description = {"Show every day's status: speed-only, or reconciled at time T from lake snapshot S.",
          "'./tidemark days --help' lists the options."})
  static final class Days extends Delegate {
    @Override
    ChildJvm jvm() {
      return reconcileTool();
    }

    @Override
    List<String> prefix() {
      return List.of("days");
    }
  }

  @Command(name = "schedule",
      description = {"Drive the Airflow DAGs through Airflow's REST API: status | trigger --date D | backfill --from D1 --to D2",
          "| runs [--dag] | pause | unpause; --json, --wait. './tidemark schedule --help' lists the options."})
  static final class Schedule extends Delegate {
    @Override
    ChildJvm jvm() {
      return new ChildJvm("orchestration", "io.tidemark.orchestration.ScheduleMain").jvmArg("-Xmx256m");
    }
  }

  @Command(name = "serve",
      description = {"Serve the HTTP API, the live dashboard and /metrics (reads ClickHouse as the read-only user).",
          "'./tidemark serve --help' lists the options."})
  static final class Serve extends Delegate {
    @Override
    ChildJvm jvm() {
      return serving();
    }

    @Override
    public Integer call() {
      return jvm().run(global.resolved(), args);
    }
  }
}
