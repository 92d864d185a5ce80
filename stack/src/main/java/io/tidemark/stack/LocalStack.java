package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.LocalService.Health;
import io.tidemark.stack.ServiceStatus.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tidemark's services as local processes with project-local data: a KRaft Kafka broker, a
 * ClickHouse server, s3proxy on a folder, a SQLite Iceberg catalog and Apicurio Registry (on an
 * H2 file) as the schema registry, under {@link #home()}.
 *
 * <p>The processes are detached: they keep running after the JVM that started them exits, and any
 * later {@code LocalStack} on the same home finds them through their pid files under {@code
 * <home>/run/}. Their output goes to {@code <home>/logs/}. Data lives in {@code <home>/kafka},
 * {@code <home>/clickhouse}, {@code <home>/s3}, {@code <home>/catalog} and {@code <home>/registry}
 * and survives {@link
 * #down()}.
 *
 * <p>A service whose endpoint the configuration sets to an existing deployment (see {@link
 * Endpoints#isExternal}) is never started or stopped here, only health-checked.
 *
 * <pre>{@code
 * LocalStack stack = new LocalStack(TidemarkConfig.load(null, System.getenv(), Map.of(), options));
 * stack.up(EnumSet.allOf(Service.class), (service, line) -> System.out.println(service + ": " + line));
 * TidemarkConfig endpoints = stack.config(); // bootstrap, URLs and catalog URI filled in
 * }</pre>
 *
 * <p>Thread-safety: {@code up}, {@code down} and {@code kill} on the same home are serialised
 * (within a JVM and, through a file lock, across JVMs); {@code status} may run at any time.
 */
public final class LocalStack {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  private final TidemarkConfig config;
  private final Path home;
  private final Map<Service, LocalService> services = new EnumMap<>(Service.class);

  /** A stack for this configuration; nothing is started until {@link #up}. */
  public LocalStack(TidemarkConfig cfg) {
    this.config = Endpoints.resolve(cfg);
    this.home = StackOptions.home(config);
    Path projectRoot = StackOptions.projectRoot(System.getenv(), Path.of(""));
    services.put(Service.KAFKA, new KafkaService(config, home, projectRoot));
    services.put(Service.CLICKHOUSE, new ClickHouseService(config, home));
    services.put(Service.S3, new S3ProxyService(config, home, projectRoot));
    services.put(Service.CATALOG, new CatalogService(config, home));
    services.put(Service.SCHEMA_REGISTRY, new RegistryService(config, home, projectRoot));
  }

  /** The configuration with every endpoint resolved (see {@link Endpoints#resolve}). */
  public TidemarkConfig config() {
    return config;
  }

  /** The folder holding the stack's data, logs and pid files. */
  public Path home() {
    return home;
  }

  /** The log a user should read when {@code service} misbehaves. */
  public Path logFile(Service service) {
    return services.get(service).logFile();
  }

  /**
   * Makes the given services available and returns their status once all are healthy.
   *
   * <p>Idempotent: a service already running and healthy is left alone; one running but not yet
   * healthy (another {@code up} is starting it) is waited for; an external one is only checked.
   * Missing pieces are installed (ClickHouse via apt-get when running as root). Services start in
   * parallel.
   *
   * @throws StackException when a port is taken ("Port 18123 (tidemark.stack.clickhouse-http-port /
   *     TIDEMARK_STACK_CLICKHOUSE_HTTP_PORT) is already in use by another process"), a runtime is
   *     missing, or a service is not healthy within {@code tidemark.stack.start-timeout}. Services
   *     that did start are left running, so a retry after fixing the cause is cheap.
   */
  public List<ServiceStatus> up(Set<Service> wanted, StackListener listener) {
    StackListener l = serialised(listener);
    Map<ConfigOption<Integer>, Integer> allPorts = new LinkedHashMap<>();
    for (LocalService s : services.values()) {
      if (!Endpoints.isExternal(config, s.service())) {
        allPorts.putAll(s.ports());
      }
    }
    Ports.requireDistinct(allPorts);
    return withLock(
        () -> {
          Map<Service, Callable<ServiceStatus>> tasks = new LinkedHashMap<>();
          for (Service s : Service.values()) {
            if (!wanted.contains(s)) {
              continue;
            }
            LocalService svc = services.get(s);
            if (Endpoints.isExternal(config, s)) {
              tasks.put(s, () -> externalStatus(svc, l));
            } else if (isRunning(svc)) {
              tasks.put(s, () -> awaitRunning(svc, l));
            } else {
              svc.ports().forEach(Ports::requireFree);
              tasks.put(s, () -> start(svc, l));
            }
          }
          List<ServiceStatus> result = runAll(tasks);
          List<String> problems = new ArrayList<>();
          for (ServiceStatus st : result) {
            if (!st.healthy()) {
              problems.add(st.service() + " at " + st.address() + " is not healthy: " + st.detail());
            }
          }
          if (!problems.isEmpty()) {
            throw new StackException(String.join("; ", problems));
          }
          return result;
        });
  }

  /**
   * Stops every locally managed service: SIGTERM, then SIGKILL after {@code
   * tidemark.stack.stop-timeout}. Data is kept. External services are not touched. Idempotent.
   */
  public void down() {
    down(StackListener.SILENT);
  }

  /** {@link #down()} reporting progress. */
  public void down(StackListener listener) {
    StackListener l = serialised(listener);
    Duration grace = config.get(StackOptions.STOP_TIMEOUT);
    withLock(
        () -> {
          Map<Service, Callable<ServiceStatus>> tasks = new LinkedHashMap<>();
          for (LocalService svc : services.values()) {
            if (Endpoints.isExternal(config, svc.service())) {
              continue;
            }
            tasks.put(
                svc.service(),
                () -> {
                  if (svc.command().isEmpty()) {
                    Files.deleteIfExists(marker(svc));
                  } else {
                    ManagedProcess p = process(svc);
                    Optional<ProcessHandle> running = p.running();
                    if (running.isPresent()) {
                      l.progress(svc.service(), "stopping pid " + running.get().pid());
                      boolean killed = p.stop(grace);
                      l.progress(svc.service(), killed ? "killed after " + grace.toSeconds() + "s" : "stopped");
                    } else {
                      p.deletePidFile();
                    }
                  }
                  return null;
                });
          }
          runAll(tasks);
          return null;
        });
  }

  /** The current state of every service, each observed by a real request. Changes nothing. */
  public List<ServiceStatus> status() {
    Map<Service, Callable<ServiceStatus>> tasks = new LinkedHashMap<>();
    for (LocalService svc : services.values()) {
      tasks.put(svc.service(), () -> statusOf(svc));
    }
    return runAll(tasks);
  }

  /**
   * Kills a locally managed service with SIGKILL and keeps its pid file, as a crash would; for
   * tests of failure handling. Does nothing for an external service or one not running.
   */
  public void kill(Service service) {
    LocalService svc = services.get(service);
    if (Endpoints.isExternal(config, service)) {
      return;
    }
    if (svc.command().isEmpty()) {
      try {
        Files.deleteIfExists(marker(svc));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      process(svc).kill();
    }
  }

  private ServiceStatus statusOf(LocalService svc) {
    Service s = svc.service();
    if (Endpoints.isExternal(config, s)) {
      Health h = svc.check();
      return new ServiceStatus(s, svc.address(), false, h.ok() ? State.EXTERNAL_HEALTHY : State.EXTERNAL_UNREACHABLE, null, h.detail());
    }
    if (svc.command().isEmpty()) {
      if (!Files.exists(marker(svc))) {
        return new ServiceStatus(s, svc.address(), true, State.STOPPED, null, "not started");
      }
      Health h = svc.check();
      return new ServiceStatus(s, svc.address(), true, h.ok() ? State.RUNNING_HEALTHY : State.RUNNING_UNHEALTHY, null, h.detail());
    }
    ManagedProcess p = process(svc);
    Long pid = p.recordedPid();
    if (pid == null) {
      return new ServiceStatus(s, svc.address(), true, State.STOPPED, null, "not started");
    }
    Optional<ProcessHandle> running = p.running();
    if (running.isEmpty()) {
      String detail = p.pidTakenByOtherProgram() ? "pid " + pid + " belongs to another program (stale pid file)" : "pid " + pid + " not running";
      return new ServiceStatus(s, svc.address(), true, State.STOPPED, null, detail);
    }
    Health h = svc.check();
    return new ServiceStatus(s, svc.address(), true, h.ok() ? State.RUNNING_HEALTHY : State.RUNNING_UNHEALTHY, pid, h.detail());
  }

  private ServiceStatus externalStatus(LocalService svc, StackListener l) {
    ServiceStatus st = statusOf(svc);
    l.progress(svc.service(), st.healthy() ? "external at " + svc.address() + " (" + st.detail() + ")" : "external at " + svc.address() + " is unreachable: " + st.detail());
    return st;
  }

  private boolean isRunning(LocalService svc) {
    return svc.command().isEmpty() ? Files.exists(marker(svc)) : process(svc).running().isPresent();
  }

  private ServiceStatus awaitRunning(LocalService svc, StackListener l) throws InterruptedException {
    long deadline = System.nanoTime() + startTimeout().toNanos();
    ServiceStatus st = statusOf(svc);
    boolean reported = false;
    while (!st.healthy() && st.state() == State.RUNNING_UNHEALTHY && System.nanoTime() < deadline) {
      if (!reported) {
        l.progress(svc.service(), "running as pid " + st.pid() + " but not healthy yet, waiting");
        reported = true;
      }
      Thread.sleep(POLL.toMillis());
      st = statusOf(svc);
    }
    if (st.healthy()) {
      l.progress(svc.service(), "already running at " + svc.address() + (st.pid() == null ? "" : " (pid " + st.pid() + ")"));
      return st;
    }
    throw new StackException(
        svc.name() + " is running" + (st.pid() == null ? "" : " as pid " + st.pid()) + " but not healthy: " + st.detail()
            + " (log: " + svc.logFile() + "); run stack down, then stack up");
  }

  private ServiceStatus start(LocalService svc, StackListener l) throws Exception {
    long t0 = System.nanoTime();
    svc.prepare(l);
    Long pid = null;
    ProcessHandle handle = null;
    if (svc.command().isEmpty()) {
      Files.createDirectories(marker(svc).getParent());
      Files.writeString(marker(svc), svc.address(), StandardCharsets.UTF_8);
    } else {
      handle = process(svc).start(svc.command(), svc.environment(), home);
      pid = handle.pid();
      l.progress(svc.service(), "started pid " + pid + " (log: " + svc.logFile() + ")");
    }
    long deadline = t0 + startTimeout().toNanos();
    awaitTrue(svc, handle, deadline, svc::ready);
    svc.afterStart();
    awaitTrue(svc, handle, deadline, () -> svc.check().ok());
    Health h = svc.check();
    l.progress(
        svc.service(),
        String.format(Locale.ROOT, "healthy at %s in %.1fs (%s)", svc.address(), (System.nanoTime() - t0) / 1e9, h.detail()));
    return new ServiceStatus(svc.service(), svc.address(), true, h.ok() ? State.RUNNING_HEALTHY : State.RUNNING_UNHEALTHY, pid, h.detail());
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private void awaitTrue(LocalService svc, ProcessHandle handle, long deadline, Condition c) throws Exception {
    while (!c.holds()) {
      if (handle != null && !handle.isAlive()) {
        throw new StackException(
            svc.name() + " exited during start-up (log: " + svc.consoleFile() + "): " + lastLine(svc.consoleFile()));
      }
      if (System.nanoTime() > deadline) {
        throw new StackException(
            svc.name() + " did not become healthy within " + startTimeout().toSeconds() + "s ("
                + StackOptions.START_TIMEOUT.key() + "): " + svc.check().detail() + " (log: " + svc.logFile() + ")");
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static String lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).trim();
        }
      }
      return "(empty log)";
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable)";
    }
  }

  private Duration startTimeout() {
    return config.get(StackOptions.START_TIMEOUT);
  }

  private ManagedProcess process(LocalService svc) {
    return new ManagedProcess(svc.name(), home.resolve("run").resolve(svc.name() + ".pid"), svc.consoleFile(), svc.processIdentity());
  }

  private Path marker(LocalService svc) {
    return home.resolve("run").resolve(svc.name() + ".up");
  }

  private static StackListener serialised(StackListener listener) {
    return (service, message) -> {
      synchronized (listener) {
        listener.progress(service, message);
      }
    };
  }

  private <T> T withLock(Callable<T> action) {
    Object jvmLock = JVM_LOCKS.computeIfAbsent(home, h -> new Object());
    synchronized (jvmLock) {
      try {
        Files.createDirectories(home.resolve("run"));
        try (FileChannel ch = FileChannel.open(home.resolve("run").resolve("stack.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          FileLock lock = ch.lock();
          try {
            return action.call();
          } finally {
            lock.release();
          }
        }
      } catch (StackException | UncheckedIOException e) {
        throw e;
      } catch (IOException e) {
        throw new StackException("Cannot lock stack home " + home + ": " + e.getMessage(), e);
      } catch (Exception e) {
        throw new StackException(e.getMessage(), e);
      }
    }
  }

  /** Runs one task per service in parallel; the first failure (in service order) is rethrown. */
  private static List<ServiceStatus> runAll(Map<Service, Callable<ServiceStatus>> tasks) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            tasks.size(),
            r -> {
              Thread t = new Thread(r, "tidemark-stack");
              t.setDaemon(true);
              return t;
            });
    try {
      Map<Service, Future<ServiceStatus>> futures = new LinkedHashMap<>();
      tasks.forEach((s, task) -> futures.put(s, pool.submit(task)));
      List<ServiceStatus> out = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<ServiceStatus> f : futures.values()) {
        try {
          ServiceStatus st = f.get();
          if (st != null) {
            out.add(st);
          }
        } catch (ExecutionException e) {
          RuntimeException wrapped = asStackException(e.getCause());
          if (failure == null) {
            failure = wrapped;
          } else {
            failure.addSuppressed(wrapped);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StackException("Interrupted while waiting for the stack", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static RuntimeException asStackException(Throwable t) {
    if (t instanceof StackException se) {
      return se;
    }
    return new StackException(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
  }
}
