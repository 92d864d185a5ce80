package io.tidemark.orchestration.stack;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.orchestration.OrchestrationOptions;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./tidemark stack up|down|status --with airflow}: the local Airflow, started in this
 * module's JVM by the CLI (which never loads a layer's classes itself). Exit code 0 when the
 * requested state was reached and Airflow is healthy (for {@code up} and {@code status}), 3 when it
 * is not, 2 for a bad action; errors are one line on stderr.
 */
@Command(name = "airflow-stack", mixinStandardHelpOptions = true,
    description = "Start, stop or inspect the project-local Airflow (api-server, scheduler, dag-processor).")
public final class AirflowStackMain implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ACTION", description = "up, down or status")
  String action;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AirflowStackMain()).execute(args));
  }

  @Override
  public Integer call() {
    TidemarkConfig cfg = TidemarkConfig.load(null, System.getenv(), Map.of(), OrchestrationOptions.all())
        .validate(OrchestrationOptions.all());
    AirflowStack stack = new AirflowStack(cfg);
    try {
      AirflowStatus status = switch (action) {
        case "up" -> stack.start(line -> System.out.println("airflow: " + line));
        case "down" -> {
          stack.stop();
          yield stack.status();
        }
        case "status" -> stack.status();
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "Unknown action '" + action + "': use up, down or status");
      };
      System.out.printf("airflow     %s  %s  pids %s  %s%n", status.url(),
          status.healthy() ? "running healthy" : "not healthy", status.pids().values(), status.detail());
      return action.equals("down") || status.healthy() ? 0 : 3;
    } catch (RuntimeException e) {
      System.err.println("tidemark: " + e.getMessage());
      return 2;
    }
  }
}
