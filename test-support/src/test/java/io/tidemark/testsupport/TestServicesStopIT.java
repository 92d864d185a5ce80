package io.tidemark.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tidemark.stack.Service;
import io.tidemark.stack.ServiceStatus;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Services are stopped at the end of a JUnit run even when its tests fail. */
class TestServicesStopIT {
  private static final String RUN_INNER = "tidemark.test.inner-run";
  static final AtomicReference<Long> clickHousePid = new AtomicReference<>();
  static final AtomicReference<Path> home = new AtomicReference<>();

  @Test
  void failingRunStillStopsItsServices() {
    System.setProperty(RUN_INNER, "true");
    try {
      EngineTestKit.engine("junit-jupiter")
          .selectors(selectClass(FailingTestUsingClickHouse.class))
          .execute()
          .testEvents()
          .assertStatistics(stats -> stats.started(1).failed(1));
    } finally {
      System.clearProperty(RUN_INNER);
    }
    assertThat(clickHousePid.get()).isNotNull();
    assertThat(ProcessHandle.of(clickHousePid.get()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(home.get().resolve("clickhouse")).doesNotExist();
    assertThat(home.get().resolve("logs")).isDirectory();
  }

  /** Run only by the test kit above, never by failsafe itself. */
  @EnabledIfSystemProperty(named = RUN_INNER, matches = "true")
  @RequiresServices(Service.CLICKHOUSE)
  static class FailingTestUsingClickHouse {
    @Test
    void fails(TestServices services) {
      ServiceStatus ch =
          services.localStack().status().stream().filter(s -> s.service() == Service.CLICKHOUSE).findFirst().orElseThrow();
      clickHousePid.set(ch.pid());
      home.set(services.home());
      fail("deliberate failure: the services must still be stopped");
    }
  }
}
