package io.tidemark.stack;

import io.tidemark.core.config.ConfigOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/** Port checks done before a service starts, so a clash fails with a message naming the option. */
final class Ports {
  private Ports() {}

  /**
   * Fails when something else listens on {@code port} of the loopback interface.
   *
   * @throws StackException "Port 18123 (tidemark.stack.clickhouse-http-port /
   *     TIDEMARK_STACK_CLICKHOUSE_HTTP_PORT) is already in use by another process"
   */
  static void requireFree(ConfigOption<Integer> option, int port) {
    if (!isFree(port)) {
      throw new StackException(inUseMessage(option, port));
    }
  }

  static String inUseMessage(ConfigOption<Integer> option, int port) {
    return "Port " + port + " (" + option.key() + " / " + option.envName() + ") is already in use by another process";
  }

  /** Whether the port can be bound on 127.0.0.1 (as our services will bind it). */
  static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port} within a short time. */
  static boolean isListening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Fails when two port options have the same value (two services would fight for one port).
   *
   * @throws StackException naming both options
   */
  static void requireDistinct(Map<ConfigOption<Integer>, Integer> ports) {
    Map<Integer, ConfigOption<Integer>> seen = new HashMap<>();
    ports.forEach(
        (option, port) -> {
          if (port < 1 || port > 65535) {
            throw new StackException(
                "Port " + port + " of " + option.key() + " (" + option.envName() + ") is not between 1 and 65535");
          }
          ConfigOption<Integer> other = seen.putIfAbsent(port, option);
          if (other != null) {
            throw new StackException(
                "Port " + port + " is configured twice: " + other.key() + " and " + option.key());
          }
        });
  }
}
