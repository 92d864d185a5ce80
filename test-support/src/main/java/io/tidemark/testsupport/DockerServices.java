package io.tidemark.testsupport;

import io.tidemark.core.config.ClickHouseOptions;
import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Services as containers, used only where a Docker engine answers.
 *
 * <p>UNTESTED on Tidemark's own machines, which have no Docker engine: kept deliberately minimal
 * (current Kafka, ClickHouse, MinIO and Apicurio Registry images, default settings). The ClickHouse container has only
 * the writer user; the serving layer's read-only user exists only in the local stack.
 */
final class DockerServices implements AutoCloseable {
  private static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  private static final String CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:24.8";
  private static final String MINIO_IMAGE = "minio/minio:latest";
  private static final String REGISTRY_IMAGE = "apicurio/apicurio-registry:3.3.3";

  private final List<GenericContainer<?>> started = new ArrayList<>();

  /** Starts a container for {@code service} and returns the endpoint to configure. */
  String start(Service service, TidemarkConfig cfg) {
    return switch (service) {
      case KAFKA -> {
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
        startTracked(kafka);
        yield kafka.getBootstrapServers();
      }
      case CLICKHOUSE -> {
        GenericContainer<?> ch =
            new GenericContainer<>(DockerImageName.parse(CLICKHOUSE_IMAGE))
                .withExposedPorts(8123)
                .withEnv("CLICKHOUSE_USER", cfg.get(ClickHouseOptions.USER))
                .withEnv("CLICKHOUSE_PASSWORD", cfg.get(ClickHouseOptions.PASSWORD))
                .withEnv("CLICKHOUSE_SKIP_USER_SETUP", cfg.get(ClickHouseOptions.PASSWORD).isEmpty() ? "1" : "0")
                .waitingFor(Wait.forHttp("/ping").forPort(8123));
        startTracked(ch);
        yield "http://" + ch.getHost() + ":" + ch.getMappedPort(8123);
      }
      case S3 -> {
        GenericContainer<?> minio =
            new GenericContainer<>(DockerImageName.parse(MINIO_IMAGE))
                .withCommand("server", "/data")
                .withEnv("MINIO_ROOT_USER", cfg.get(LakeOptions.S3_ACCESS_KEY))
                .withEnv("MINIO_ROOT_PASSWORD", cfg.get(LakeOptions.S3_SECRET_KEY))
                .withExposedPorts(9000)
                .waitingFor(Wait.forHttp("/minio/health/live").forPort(9000));
        startTracked(minio);
        String endpoint = "http://" + minio.getHost() + ":" + minio.getMappedPort(9000);
        createBucket(endpoint, cfg);
        yield endpoint;
      }
      case SCHEMA_REGISTRY -> {
        GenericContainer<?> registry =
            new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
                .withEnv("APICURIO_CCOMPAT_USE_CANONICAL_HASH", "true")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forPort(8080));
        startTracked(registry);
        yield "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/ccompat/v7";
      }
      case CATALOG -> throw new IllegalArgumentException("The catalog is a SQLite file; it needs no container");
    };
  }

  private void startTracked(GenericContainer<?> container) {
    started.add(container);
    container.start();
  }

  private static void createBucket(String endpoint, TidemarkConfig cfg) {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.of(cfg.get(LakeOptions.S3_REGION)))
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(cfg.get(LakeOptions.S3_ACCESS_KEY), cfg.get(LakeOptions.S3_SECRET_KEY))))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      s3.createBucket(b -> b.bucket(cfg.get(LakeOptions.BUCKET)));
    }
  }

  /** Stops every container this instance started, in reverse order. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).stop();
    }
    started.clear();
  }
}
