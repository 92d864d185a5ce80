package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One service of the local stack: how to install and configure it, the command that runs it and
 * how to tell whether it answers. {@link LocalStack} owns the life cycle (pid files, ports,
 * waiting, stopping); implementations only know their service.
 *
 * <p>{@link #check()} is also used for external endpoints, so it must only talk to the configured
 * address, never assume a local process.
 */
interface LocalService {

  Service service();

  /** Short lower-case name used for files and messages ({@code kafka}). */
  String name();

  /** The address clients use (from the resolved configuration). */
  String address();

  /** The ports the local process binds, each with the option that moves it; empty if none. */
  Map<ConfigOption<Integer>, Integer> ports();

  /**
   * Installs what is missing and writes the service's configuration under the stack home.
   * Idempotent; keeps existing data.
   */
  void prepare(StackListener listener) throws Exception;

  /**
   * The long-running process as an argument list (never a shell string), or an empty list when
   * the service needs no process (the SQLite catalog).
   */
  List<String> command();

  /** Extra environment variables of the process. */
  default Map<String, String> environment() {
    return Map.of();
  }

  /** Text that the process's command line contains, to recognise it from its pid. */
  String processIdentity();

  /** The log a user should read when the service misbehaves. */
  Path logFile();

  /** Where the process's stdout and stderr go; the log file unless the service writes its own. */
  default Path consoleFile() {
    return logFile();
  }

  /**
   * A real request to the service, bounded to a few seconds. Never throws: failures are reported
   * as an unhealthy result with the error in its detail.
   */
  Health check();

  /**
   * Whether the freshly started process answers enough for {@link #afterStart()} to run; by
   * default the same as a healthy {@link #check()}.
   */
  default boolean ready() {
    return check().ok();
  }

  /** Work that needs the running service, e.g. creating the bucket. Idempotent. */
  default void afterStart() throws Exception {}

  /** Result of a health check. */
  record Health(boolean ok, String detail) {
    static Health ok(String detail) {
      return new Health(true, detail);
    }

    static Health failed(String detail) {
      return new Health(false, detail);
    }
  }
}
