package io.tidemark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Commands the {@code ./tidemark} launcher script runs itself, before any Java is built; declared
 * here so that {@code --help} lists them with everything else.
 */
final class LauncherCommands {
  private LauncherCommands() {}

  @Command(name = "build", description = "Install prerequisites (apt, Maven artifacts) and build every module, skipping tests. Handled by the ./tidemark launcher.")
  static final class Build implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UserFacingException("'build' is run by the ./tidemark launcher script: run ./tidemark build");
    }
  }

  @Command(name = "test", description = "Install prerequisites and run the whole suite (mvn -B verify: unit tests and tests against real services). Handled by the ./tidemark launcher.")
  static final class Test implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UserFacingException("'test' is run by the ./tidemark launcher script: run ./tidemark test");
    }
  }
}
