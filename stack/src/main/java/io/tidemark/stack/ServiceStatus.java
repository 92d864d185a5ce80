package io.tidemark.stack;

/**
 * What {@link LocalStack#status()} knows about one service at the moment it was asked.
 *
 * @param service the service
 * @param address how clients reach it (bootstrap servers, URL or JDBC URI)
 * @param managedLocally whether the local stack runs it (false: an external endpoint was given)
 * @param state health as observed by a real request to the service
 * @param pid the local process id, or {@code null} when there is none (external, stopped, catalog)
 * @param detail one line explaining the state (version, error, stale pid)
 */
public record ServiceStatus(
    Service service, String address, boolean managedLocally, State state, Long pid, String detail) {

  /** Health of one service. */
  public enum State {
    /** Local process alive and answering requests. */
    RUNNING_HEALTHY,
    /** Local process alive but not (yet) answering requests. */
    RUNNING_UNHEALTHY,
    /** Not running locally (never started, stopped, or its process died). */
    STOPPED,
    /** External endpoint answering requests. */
    EXTERNAL_HEALTHY,
    /** External endpoint not answering (or answering with an error). */
    EXTERNAL_UNREACHABLE
  }

  /** Whether clients can use the service now. */
  public boolean healthy() {
    return state == State.RUNNING_HEALTHY || state == State.EXTERNAL_HEALTHY;
  }
}
