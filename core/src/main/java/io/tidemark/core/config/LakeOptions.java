package io.tidemark.core.config;

import java.util.List;

/** The S3-compatible object store and the Iceberg catalog that together form the lake. */
public final class LakeOptions {
  private LakeOptions() {}

  public static final ConfigOption<String> S3_ENDPOINT =
      ConfigOption.stringKey("tidemark.s3.endpoint")
          .description("Endpoint of an existing S3-compatible store (http://host:port); unset means the local stack's s3proxy.");

  public static final ConfigOption<String> S3_ACCESS_KEY =
      ConfigOption.stringKey("tidemark.s3.access-key")
          .defaultValue("tidemark")
          .description("S3 access key id.");

  public static final ConfigOption<String> S3_SECRET_KEY =
      ConfigOption.stringKey("tidemark.s3.secret-key")
          .defaultValue("tidemark-secret")
          .secret()
          .description("S3 secret access key.");

  public static final ConfigOption<String> S3_REGION =
      ConfigOption.stringKey("tidemark.s3.region")
          .defaultValue("us-east-1")
          .description("S3 region reported to the SDK (any value for s3proxy/MinIO).");

  public static final ConfigOption<Boolean> S3_PATH_STYLE =
      ConfigOption.booleanKey("tidemark.s3.path-style-access")
          .defaultValue(true)
          .description("Use path-style S3 URLs (needed by s3proxy and most MinIO setups).");

  public static final ConfigOption<String> BUCKET =
      ConfigOption.stringKey("tidemark.s3.bucket")
          .defaultValue("tidemark-lake")
          .description("Bucket holding the Iceberg warehouse.");

  public static final ConfigOption<String> CATALOG_URI =
      ConfigOption.stringKey("tidemark.catalog.uri")
          .description("JDBC URI of the Iceberg catalog database (jdbc:sqlite:..., jdbc:postgresql://...); unset means a SQLite file in the local stack.");

  public static final ConfigOption<String> CATALOG_USER =
      ConfigOption.stringKey("tidemark.catalog.user")
          .description("User of the catalog database, when it needs one.");

  public static final ConfigOption<String> CATALOG_PASSWORD =
      ConfigOption.stringKey("tidemark.catalog.password")
          .secret()
          .description("Password of the catalog database, when it needs one.");

  public static final ConfigOption<String> CATALOG_NAME =
      ConfigOption.stringKey("tidemark.catalog.name")
          .defaultValue("tidemark")
          .description("Iceberg catalog name (shared by the Connect sink, Spark and the CLI).");

  public static final ConfigOption<String> NAMESPACE =
      ConfigOption.stringKey("tidemark.catalog.namespace")
          .defaultValue("lake")
          .description("Iceberg namespace of the lake tables.");

  public static List<ConfigOption<?>> all() {
    return List.of(
        S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION, S3_PATH_STYLE, BUCKET,
        CATALOG_URI, CATALOG_USER, CATALOG_PASSWORD, CATALOG_NAME, NAMESPACE);
  }
}
