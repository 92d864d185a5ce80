package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.core.config.ConfigOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortsTest {

  @Test
  void inUseMessageNamesPortOptionAndEnvironmentVariable() {
    assertThat(Ports.inUseMessage(StackOptions.CLICKHOUSE_HTTP_PORT, 18123))
        .isEqualTo(
            "Port 18123 (tidemark.stack.clickhouse-http-port / TIDEMARK_STACK_CLICKHOUSE_HTTP_PORT)"
                + " is already in use by another process");
  }

  @Test
  void requireFreeFailsOnAPortSomeoneListensOn() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = s.getLocalPort();
      assertThat(Ports.isFree(port)).isFalse();
      assertThat(Ports.isListening(port)).isTrue();
      assertThatThrownBy(() -> Ports.requireFree(StackOptions.KAFKA_PORT, port))
          .isInstanceOf(StackException.class)
          .hasMessage("Port " + port + " (tidemark.stack.kafka-port / TIDEMARK_STACK_KAFKA_PORT) is already in use by another process");
    }
  }

  @Test
  void requireFreeAcceptsAFreePort() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Ports.requireFree(StackOptions.S3_PORT, port);
    assertThat(Ports.isListening(port)).isFalse();
  }

  @Test
  void samePortForTwoServicesIsRejected() {
    Map<ConfigOption<Integer>, Integer> ports = new LinkedHashMap<>();
    ports.put(StackOptions.KAFKA_PORT, 18333);
    ports.put(StackOptions.S3_PORT, 18333);
    assertThatThrownBy(() -> Ports.requireDistinct(ports))
        .isInstanceOf(StackException.class)
        .hasMessage("Port 18333 is configured twice: tidemark.stack.kafka-port and tidemark.stack.s3-port");
  }

  @Test
  void portOutOfRangeIsRejected() {
    assertThatThrownBy(() -> Ports.requireDistinct(Map.of(StackOptions.S3_PORT, 70000)))
        .isInstanceOf(StackException.class)
        .hasMessage("Port 70000 of tidemark.stack.s3-port (TIDEMARK_STACK_S3_PORT) is not between 1 and 65535");
  }
}
