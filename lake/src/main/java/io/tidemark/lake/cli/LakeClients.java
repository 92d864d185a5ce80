package io.tidemark.lake.cli;

import io.tidemark.core.config.LakeOptions;
import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.lake.LakeArchiveOptions;
import io.tidemark.lake.connect.ArchiveConnectorConfig;
import io.tidemark.lake.table.PageViewTable;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Clients the read-only commands share. */
final class LakeClients {
  private LakeClients() {}

  static TableIdentifier tableId(TidemarkConfig cfg) {
    return PageViewTable.identifier(cfg.get(LakeOptions.NAMESPACE), cfg.get(LakeArchiveOptions.TABLE));
  }

  static Table loadTable(Catalog catalog, TidemarkConfig cfg) {
    TableIdentifier id = tableId(cfg);
    if (!catalog.tableExists(id)) {
      throw new IllegalStateException("Table " + id + " does not exist in catalog " + cfg.get(LakeOptions.CATALOG_URI) + " (start the archive with: lake run)");
    }
    return catalog.loadTable(id);
  }

  /** A consumer without a group: it only reads offsets and seeks, never commits. */
  static KafkaConsumer<byte[], byte[]> consumer(TidemarkConfig cfg) {
    return consumer(cfg, "read_uncommitted");
  }

  /** As {@link #consumer(TidemarkConfig)}, reading with {@code isolation.level} {@code isolation}. */
  static KafkaConsumer<byte[], byte[]> consumer(TidemarkConfig cfg, String isolation) {
    Map<String, Object> p = new HashMap<>(ArchiveConnectorConfig.kafkaClientProperties(cfg));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
