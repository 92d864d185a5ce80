package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * s3proxy on a local folder (jclouds filesystem backend), run from the jars of {@code
 * stack/runtime-s3proxy}, with the lake's bucket created once it answers. It speaks AWS signature
 * v2 and v4 with the credentials from {@link LakeOptions}, so clients are configured exactly as for
 * a real S3 or MinIO.
 */
final class S3ProxyService implements LocalService {
  private final TidemarkConfig cfg;
  private final Path home;
  private final Path projectRoot;
  private final Path dir;
  private final Path confFile;
  private final Path logbackFile;

  S3ProxyService(TidemarkConfig resolved, Path home, Path projectRoot) {
    this.cfg = resolved;
    this.home = home;
    this.projectRoot = projectRoot;
    this.dir = home.resolve("s3");
    this.confFile = dir.resolve("s3proxy.conf");
    this.logbackFile = dir.resolve("logback.xml");
  }

  @Override
  public Service service() {
    return Service.S3;
  }

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public String address() {
    return cfg.get(LakeOptions.S3_ENDPOINT);
  }

  @Override
  public Map<ConfigOption<Integer>, Integer> ports() {
    return Map.of(StackOptions.S3_PORT, cfg.get(StackOptions.S3_PORT));
  }

  Path dataDir() {
    return dir.resolve("data");
  }

  @Override
  public void prepare(StackListener listener) throws IOException {
    Runtimes.classpath(projectRoot, "runtime-s3proxy", "s3proxy");
    Files.createDirectories(dataDir());
    Properties p = proxyProperties();
    Files.deleteIfExists(confFile);
    Files.createFile(confFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    KafkaService.writeProperties(confFile, p, "Written by Tidemark's local stack on every start; holds the S3 secret");
    Files.writeString(logbackFile, LOGBACK, StandardCharsets.UTF_8);
  }

  /** s3proxy's configuration: loopback endpoint, filesystem backend, the lake's credentials. */
  Properties proxyProperties() {
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + cfg.get(StackOptions.S3_PORT));
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", cfg.get(LakeOptions.S3_ACCESS_KEY));
    p.setProperty("s3proxy.credential", cfg.get(LakeOptions.S3_SECRET_KEY));
    p.setProperty("jclouds.provider", "filesystem");
    p.setProperty("jclouds.filesystem.basedir", dataDir().toString());
    p.setProperty("jclouds.identity", "local");
    p.setProperty("jclouds.credential", "local");
    return p;
  }

  @Override
  public List<String> command() {
    return List.of(
        Runtimes.javaBinary(),
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dlogback.configurationFile=" + logbackFile,
        "-cp",
        Runtimes.classpath(projectRoot, "runtime-s3proxy", "s3proxy"),
        "org.gaul.s3proxy.Main",
        "--properties",
        confFile.toString());
  }

  @Override
  public String processIdentity() {
    return confFile.toString();
  }

  @Override
  public Path logFile() {
    return home.resolve("logs").resolve("s3.log");
  }

  @Override
  public Health check() {
    String bucket = cfg.get(LakeOptions.BUCKET);
    try (S3Client s3 = client(cfg)) {
      s3.headBucket(b -> b.bucket(bucket));
      return Health.ok("bucket " + bucket);
    } catch (NoSuchBucketException e) {
      return Health.failed("bucket " + bucket + " does not exist");
    } catch (S3Exception e) {
      return Health.failed(
          e.statusCode() == 404
              ? "bucket " + bucket + " does not exist"
              : "HEAD bucket " + bucket + " answered " + e.statusCode() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      return Health.failed("S3 request to " + address() + " failed: " + KafkaService.rootMessage(e));
    }
  }

  /** Ready for the bucket to be created: s3proxy answers S3 requests (any S3 error counts). */
  @Override
  public boolean ready() {
    try (S3Client s3 = client(cfg)) {
      s3.listBuckets();
      return true;
    } catch (S3Exception e) {
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Creates the lake's bucket when it does not exist yet. Idempotent. */
  @Override
  public void afterStart() {
    if (check().ok()) {
      return;
    }
    try (S3Client s3 = client(cfg)) {
      s3.createBucket(b -> b.bucket(cfg.get(LakeOptions.BUCKET)));
    }
  }

  /**
   * An S3 client for the configured endpoint: path-style, static credentials, no retries (callers
   * poll), checksums only when required (s3proxy rejects the SDK's default trailing checksums).
   */
  static S3Client client(TidemarkConfig cfg) {
    return S3Client.builder()
        .endpointOverride(URI.create(cfg.require(LakeOptions.S3_ENDPOINT)))
        .region(Region.of(cfg.get(LakeOptions.S3_REGION)))
        .forcePathStyle(cfg.get(LakeOptions.S3_PATH_STYLE))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(cfg.get(LakeOptions.S3_ACCESS_KEY), cfg.get(LakeOptions.S3_SECRET_KEY))))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(5))
                .build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(8)))
        .build();
  }

  private static final String LOGBACK =
      """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
        </appender>
        <logger name="org.eclipse.jetty" level="WARN"/>
        <logger name="org.jclouds" level="WARN"/>
        <root level="INFO"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;
}
