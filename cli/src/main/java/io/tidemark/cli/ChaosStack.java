package io.tidemark.cli;

import io.tidemark.cli.chaos.ChaosChecks.DeadLetter;
import io.tidemark.cli.chaos.ChaosChecks.DriftFigures;
import io.tidemark.cli.chaos.ChaosChecks.ServingProbe;
import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.KafkaOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.WindowKey;
import io.tidemark.schema.Migrations;
import io.tidemark.schema.clickhouse.ClickHouseClients;
import io.tidemark.schema.clickhouse.ClickHouseSql;
import io.tidemark.stack.Endpoints;
import io.tidemark.stack.LocalStack;
import io.tidemark.stack.Service;
import io.tidemark.stack.StackListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The private pipeline a chaos run strikes: its own local stack (own home, free ports, so the
 * user's stack is never touched), the speed layer, the lake archive and the serving layer started
 * as {@code ./tidemark} starts them ({@link LayerCommands}, {@link ChildJvm}), and the few
 * read-only observations the run needs (is the job running, has the speed layer written, has the
 * lake committed, what do the outputs hold).
 *
 * <p>Every process it starts is stopped by {@link #close()}; {@link #down()} also stops the stack.
 * Not thread-safe except {@link #speedWriteMark()}, {@link #lakeCommitMark()} and {@link #probe()},
 * which only read.
 */
final class ChaosStack implements AutoCloseable {
  /** Header names of the speed layer's dead letters (DeadLetterSerializer.Headers, not on this classpath). */
  static final String REASON_HEADER = "tidemark.reason";
  static final String SOURCE_PARTITION_HEADER = "tidemark.source.partition";
  static final String SOURCE_OFFSET_HEADER = "tidemark.source.offset";


  final Path home;
  final Path logs;
  final TidemarkConfig config;
  final LocalStack stack;
  private final int webUiPort;
  private final int servingPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> started = Collections.synchronizedList(new ArrayList<>());
  private volatile Process speed;
  private volatile Process lake;
  private Process serve;

  private ChaosStack(Path home, TidemarkConfig config, int webUiPort, int servingPort) {
    this.home = home;
    this.logs = home.resolve("logs");
    this.config = config;
    this.stack = new LocalStack(config);
    this.webUiPort = webUiPort;
    this.servingPort = servingPort;
  }

  /**
   * A stack under {@code home} on free ports. {@code passThrough} are the user's own keys for the
   * layers (JVM options, say); endpoint and stack keys are never taken from it.
   */
  static ChaosStack create(Path home, Map<String, String> passThrough) {
    Map<String, String> v = new LinkedHashMap<>();
    passThrough.forEach((k, val) -> {
      boolean endpoint = k.equals(KafkaOptions.BOOTSTRAP.key()) || k.equals(ClickHouseOptions.URL.key())
          || k.equals(LakeOptions.S3_ENDPOINT.key()) || k.equals(LakeOptions.CATALOG_URI.key());
      if (!endpoint && !k.startsWith("tidemark.stack.")) {
        v.put(k, val);
      }
    });
    v.put("tidemark.stack.home", home.toString());
    int[] ports = freePorts(11);
    v.put("tidemark.stack.kafka-port", Integer.toString(ports[0]));
    v.put("tidemark.stack.kafka-controller-port", Integer.toString(ports[1]));
    v.put("tidemark.stack.clickhouse-http-port", Integer.toString(ports[2]));
    v.put("tidemark.stack.clickhouse-tcp-port", Integer.toString(ports[3]));
    v.put("tidemark.stack.clickhouse-interserver-port", Integer.toString(ports[4]));
    v.put("tidemark.stack.s3-port", Integer.toString(ports[5]));
    v.put("tidemark.speed.web-ui-port", Integer.toString(ports[6]));
    v.put("tidemark.speed.metrics-port", Integer.toString(ports[7]));
    v.put("tidemark.lake.rest-port", Integer.toString(ports[8]));
    v.put("tidemark.lake.metrics-port", Integer.toString(ports[9]));
    v.put("tidemark.serving.port", Integer.toString(ports[10]));
    v.put("tidemark.serving.host", "127.0.0.1");
    // A killed reconcile's lease must expire before the rerun may take the day: a short TTL and a
    // wait, so the rerun a user would start right away completes instead of being refused.
    v.putIfAbsent("tidemark.reconcile.lock-ttl", "15s");
    v.putIfAbsent("tidemark.reconcile.lock-wait", "2m");
    // The lake's restart waits for the dead worker's consumer session and control-topic
    // transaction: shorter than the defaults (10 s / 30 s) as in CrashIT, so a short run has room.
    v.putIfAbsent("tidemark.lake.consumer-session-timeout", "6s");
    v.putIfAbsent("tidemark.lake.transaction-timeout", "10s");
    TidemarkConfig cfg = Endpoints.resolve(TidemarkConfig.of(v));
    try {
      Files.createDirectories(home);
      cfg.store(home.resolve(CONFIG_FILE), "The private stack of ./tidemark chaos");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + home.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
    }
    return new ChaosStack(home, cfg, ports[6], ports[10]);
  }

  /** The configuration file a run leaves in its home, so a kept stack can be inspected. */
  static final String CONFIG_FILE = "chaos.properties";

  /** The stack of a kept run (its {@code chaos.properties}); nothing is started. */
  static ChaosStack reopen(Path home) {
    java.util.Properties props = new java.util.Properties();
    try (var in = Files.newInputStream(home.resolve(CONFIG_FILE))) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + home.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
    }
    Map<String, String> v = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> v.put(k, props.getProperty(k)));
    TidemarkConfig cfg = TidemarkConfig.of(v);
    return new ChaosStack(home, cfg, Integer.parseInt(v.get("tidemark.speed.web-ui-port")),
        Integer.parseInt(v.get("tidemark.serving.port")));
  }

  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      for (ServerSocket s : sockets) {
        s.close();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find free ports: " + e.getMessage(), e);
    }
  }

  /** {@code stack up} and {@code migrate} on the private stack. */
  void up(StackListener listener) {
    stack.up(EnumSet.allOf(Service.class), listener);
    Migrations.run(config);
  }

  // ---- the layers, started the plain way a user starts them ----

  /** {@code ./tidemark speed run}, no flags: a restart resumes from the newest checkpoint (the default). */
  synchronized Process startSpeed() {
    speed = track(LayerCommands.speedLayer(config).start(config, List.of("run"), logs.resolve("speed.log")));
    return speed;
  }

  /** {@code ./tidemark lake run}. */
  synchronized Process startLake() {
    lake = track(LayerCommands.lake().start(config, List.of("run"), logs.resolve("lake.log")));
    return lake;
  }

  /** {@code ./tidemark serve}. */
  synchronized Process startServing() {
    serve = track(LayerCommands.serving().start(config, List.of(), logs.resolve("serve.log")));
    return serve;
  }

  private Process track(Process p) {
    started.add(p);
    return p;
  }

  Process speed() {
    return speed;
  }

  Process lake() {
    return lake;
  }

  /** kill -9 of the speed layer's JVM (the MiniCluster runs inside it). */
  long killSpeed() throws InterruptedException {
    Process p = speed;
    long pid = p.pid();
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    return pid;
  }

  /**
   * kill -9 of the Kafka Connect worker: the JVM {@code lake run} started. {@code lake run} then
   * exits (its worker is gone), as it would for a user, who starts it again.
   */
  long killConnectWorker() throws InterruptedException {
    Process parent = lake;
    Optional<ProcessHandle> worker = parent.descendants().filter(ProcessHandle::isAlive).findFirst();
    long pid;
    if (worker.isPresent()) {
      pid = worker.get().pid();
      worker.get().destroyForcibly();
      worker.get().onExit().join();
    } else {
      pid = parent.pid();
    }
    if (!parent.waitFor(60, TimeUnit.SECONDS)) {
      parent.destroyForcibly();
      parent.waitFor(30, TimeUnit.SECONDS);
    }
    return pid;
  }

  /** {@code stack up} of one service, as a user restarts it. */
  void restart(Service s) {
    stack.up(EnumSet.of(s), StackListener.SILENT);
  }

  /** Kills ClickHouse once an INSERT runs (polled every ~10 ms for {@code within}); true when one did. */
  boolean killClickHouseMidInsert(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    boolean seen = false;
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      while (System.nanoTime() < deadline) {
        try {
          if (sql.queryLong("SELECT count() AS n FROM system.processes WHERE query LIKE 'INSERT%'", Map.of()) > 0) {
            seen = true;
            break;
          }
        } catch (RuntimeException e) {
          // a failed poll: try again
        }
        Thread.sleep(10);
      }
    }
    stack.kill(Service.CLICKHOUSE);
    return seen;
  }

  /**
   * Holds an exclusive transaction on the catalog's SQLite database for {@code hold}: every
   * commit of the lake table waits on it (busy timeout), then fails, as with a catalog that does
   * not answer. Readers are not blocked (WAL).
   */
  void lockCatalog(Duration hold) throws SQLException, InterruptedException {
    try (Connection c = DriverManager.getConnection(config.get(LakeOptions.CATALOG_URI));
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 20000");
      st.execute("BEGIN EXCLUSIVE");
      try {
        Thread.sleep(hold.toMillis());
      } finally {
        st.execute("ROLLBACK");
      }
    }
  }

  // ---- observations ----

  /** Whether the speed layer's Flink job reports RUNNING on its web UI. */
  boolean speedRunning() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + webUiPort + "/jobs/overview"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body().contains("\"state\":\"RUNNING\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the serving layer answers at all (any status). */
  boolean servingUp() {
    try {
      http.send(HttpRequest.newBuilder(URI.create(servingUrl() + "api/health")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String servingUrl() {
    return "http://127.0.0.1:" + servingPort + "/";
  }

  /** One probe of /metrics (time, status) and /api/health (status); -1 / 0 when unanswered within 5 s. */
  ServingProbe probe() {
    long t0 = System.nanoTime();
    int metrics = status(servingUrl() + "metrics");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    return new ServingProbe(ms, metrics, status(servingUrl() + "api/health"));
  }

  private int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * The newest insert into the speed layer's store tables: the highest block number of their
   * active parts (every INSERT gets a new, larger one, and merges keep the maximum); -1 when
   * ClickHouse does not answer.
   */
  long speedWriteMark() {
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      return sql.queryLong("SELECT max(max_block_number) AS n FROM system.parts WHERE database = {db:String} AND active"
          + " AND table IN ('user_page_counts_store', 'page_view_counts_store')", Map.of("db", sql.database()));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The lake table's current metadata file in the catalog: it changes with every Iceberg commit; null when unreadable. */
  String lakeCommitMark() {
    try (Connection c = DriverManager.getConnection(config.get(LakeOptions.CATALOG_URI));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT metadata_location FROM iceberg_tables WHERE table_name = 'pageview_events'")) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /** Waits until {@code condition} holds; false on timeout. */
  static boolean await(Duration timeout, Duration poll, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(poll.toMillis());
    }
    return condition.getAsBoolean();
  }

  // ---- the outputs the checks read ----

  /** What the seed's query returns now, per metric (the views read the stores with FINAL). */
  Map<CountMetric, Map<WindowKey, Long>> servedCells() {
    Map<CountMetric, Map<WindowKey, Long>> out = new EnumMap<>(CountMetric.class);
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      for (CountMetric m : CountMetric.values()) {
        Map<WindowKey, Long> cells = new HashMap<>();
        sql.queryEach("SELECT {k:Identifier} AS k, toUInt64(window_start) AS w, count AS c FROM {t:Identifier}",
            Map.of("k", m.keyColumn(), "t", sql.database() + "." + m.servingTable()),
            r -> cells.put(new WindowKey(r.get("k"), Long.parseLong(r.get("w")) * 1000), Long.parseLong(r.get("c"))));
        out.put(m, cells);
      }
    }
    return out;
  }

  /** The figures of the newest non-dry-run drift report of {@code day}, per metric; empty when none. */
  Map<CountMetric, DriftFigures> driftFigures(LocalDate day) {
    Map<CountMetric, DriftFigures> out = new EnumMap<>(CountMetric.class);
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      List<Map<String, String>> runs = sql.queryRows("SELECT run_id FROM {t:Identifier} WHERE day = {d:Date} AND dry_run = 0"
          + " ORDER BY finished_at DESC LIMIT 1", Map.of("t", sql.database() + ".drift_reports", "d", day));
      if (runs.isEmpty()) {
        return out;
      }
      for (Map<String, String> r : sql.queryRows("SELECT metric, batch_total, speed_total, too_late_events, not_streamed_events,"
          + " missing_events, over_counted_events FROM {t:Identifier} WHERE run_id = {r:String}",
          Map.of("t", sql.database() + ".drift_report_metrics", "r", runs.get(0).get("run_id")))) {
        for (CountMetric m : CountMetric.values()) {
          if (m.servingTable().equals(r.get("metric"))) {
            out.put(m, new DriftFigures(l(r, "batch_total"), l(r, "speed_total"), l(r, "too_late_events"),
                l(r, "not_streamed_events"), l(r, "missing_events"), l(r, "over_counted_events")));
          }
        }
      }
    }
    return out;
  }

  /** The day's status in {@code day_status} ({@code speed-only} when it has no row). */
  String dayStatus(LocalDate day) {
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      List<Map<String, String>> rows = sql.queryRows("SELECT toString(status) AS s FROM {t:Identifier} FINAL WHERE day = {d:Date}",
          Map.of("t", sql.database() + ".day_status", "d", day));
      return rows.isEmpty() ? "speed-only" : rows.get(0).get("s");
    }
  }

  private static long l(Map<String, String> r, String k) {
    return Long.parseLong(r.get(k));
  }

  /** End offset of every partition of the events topic. */
  Map<Integer, Long> eventEndOffsets() {
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      String topic = config.get(KafkaOptions.EVENTS_TOPIC);
      List<TopicPartition> tps = partitions(c, topic);
      Map<Integer, Long> out = new TreeMap<>();
      c.endOffsets(tps, Duration.ofSeconds(30)).forEach((tp, o) -> out.put(tp.partition(), o));
      return out;
    }
  }

  /** Every record of the dead-letter topic, from the beginning to its current end. */
  List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      List<TopicPartition> tps = partitions(c, config.get(KafkaOptions.DLQ_TOPIC));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.add(new DeadLetter(header(r, SOURCE_PARTITION_HEADER) + "@" + header(r, SOURCE_OFFSET_HEADER),
              header(r, REASON_HEADER), Arrays.hashCode(r.value())));
        }
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<TopicPartition> tps = new ArrayList<>();
    c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
    return tps;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> p = new HashMap<>(KafkaOptions.clientProperties(config));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tidemark-chaos");
    return new KafkaConsumer<>(p);
  }

  // ---- one-shot layer commands ----

  /**
   * Runs a layer command to completion (stdout to {@code <name>.out}, stderr to {@code
   * <name>.log}) and returns its exit code; {@code timeout} kills it.
   */
  int runToEnd(ChildJvm jvm, List<String> args, String name, Duration timeout) throws InterruptedException {
    Process p = track(jvm.start(config, args, logs.resolve(name + ".out"), logs.resolve(name + ".log")));
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      return 124;
    }
    return p.exitValue();
  }

  /** The JSON document a {@code --json} command printed: stdout from its first line that opens an object. */
  String jsonOutput(String name) {
    String all = output(name);
    int at = all.startsWith("{") ? 0 : all.indexOf("\n{");
    return at < 0 ? "" : all.substring(at).trim();
  }

  String output(String name) {
    try {
      return Files.readString(logs.resolve(name + ".out"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Starts {@code reconcile --date D --force} and kills it -9 as soon as the day's staging holds
   * rows (polled every 10 ms in ClickHouse: a boundary any observer of the store can see, with no
   * hook in the reconcile code), i.e. between stage and replace, or just after the first replace;
   * true when it was killed there, false when it ended before (within {@code timeout}).
   */
  boolean reconcileKilledAtStaged(LocalDate day, Duration timeout) throws InterruptedException {
    String name = "reconcile-" + day + "-killed";
    Process p = track(LayerCommands.reconcileTool()
        .start(config, List.of("reconcile", "--date", day.toString(), "--force"), logs.resolve(name + ".out"),
            logs.resolve(name + ".log")));
    boolean staged;
    try (ClickHouseSql sql = ClickHouseClients.connect(config)) {
      String staging = sql.database() + "." + io.tidemark.schema.clickhouse.CountTable.USER_PAGE_COUNTS.stagingTable();
      await(timeout, Duration.ofMillis(10), () -> !p.isAlive() || stagedRows(sql, staging, day) > 0);
      staged = p.isAlive();
    }
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    return staged;
  }

  private static long stagedRows(ClickHouseSql sql, String staging, LocalDate day) {
    try {
      return Long.parseLong(sql.queryRows(
          "SELECT count() AS n FROM {t:Identifier} WHERE toDate(window_start) = {d:Date}",
          Map.of("t", staging, "d", day)).get(0).get("n"));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Stops the speed layer, the archive and the dashboard (SIGTERM, then SIGKILL). */
  @Override
  public void close() {
    List<Process> all;
    synchronized (started) {
      all = new ArrayList<>(started);
    }
    for (Process p : all) {
      p.destroy();
    }
    for (Process p : all) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@link #close()}, then {@code stack down}. */
  void down() {
    close();
    stack.down();
  }

  /** The days the truth's windows fall in. */
  static Set<LocalDate> days(Map<WindowKey, Long> cells) {
    Set<LocalDate> out = new java.util.TreeSet<>();
    cells.keySet().forEach(k -> out.add(java.time.Instant.ofEpochMilli(k.windowStart()).atZone(java.time.ZoneOffset.UTC).toLocalDate()));
    return out;
  }
}
