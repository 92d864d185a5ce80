package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.TidemarkConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaServiceTest {

  @Test
  void singleNodeBrokerListensOnLoopbackWithReplicationFactorOne(@TempDir Path home) {
    TidemarkConfig cfg =
        Endpoints.resolve(TidemarkConfig.of(Map.of("tidemark.stack.home", home.toString(), "tidemark.stack.kafka-port", "29092")));
    Properties p = new KafkaService(cfg, home, home).serverProperties();
    assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
    assertThat(p.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:19093");
    assertThat(p.getProperty("controller.quorum.voters")).isEqualTo("1@127.0.0.1:19093");
    assertThat(p.getProperty("log.dirs")).isEqualTo(home.resolve("kafka/data").toString());
    assertThat(p.getProperty("offsets.topic.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("transaction.state.log.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("transaction.state.log.min.isr")).isEqualTo("1");
    assertThat(p.getProperty("min.insync.replicas")).isEqualTo("1");
    assertThat(p.getProperty("group.initial.rebalance.delay.ms")).isEqualTo("0");
    assertThat(p.getProperty("auto.create.topics.enable")).isEqualTo("false");
  }

  @Test
  void missingRuntimeTellsHowToBuildIt(@TempDir Path root) {
    assertThatThrownBy(() -> Runtimes.classpath(root, "runtime-kafka", "Kafka"))
        .isInstanceOf(StackException.class)
        .hasMessage(
            "Kafka runtime not built: run ./tidemark build (missing " + root.resolve("stack/runtime-kafka/target/classpath.txt") + ")");
  }
}
