package io.tidemark.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
  @Test
  void sameSeedSameSchedule() {
    Set<FaultKind> all = EnumSet.allOf(FaultKind.class);
    assertThat(FaultSchedule.plan(5, Duration.ofMinutes(10), all)).isEqualTo(FaultSchedule.plan(5, Duration.ofMinutes(10), all));
    assertThat(FaultSchedule.plan(5, Duration.ofMinutes(10), all)).isNotEqualTo(FaultSchedule.plan(6, Duration.ofMinutes(10), all));
  }

  @Test
  void everyKindStrikesInTheStreamPhaseWithoutOverlapAndReconcileLast() {
    Duration run = Duration.ofMinutes(10);
    List<Fault> plan = FaultSchedule.plan(42, run, EnumSet.allOf(FaultKind.class));
    int per = FaultSchedule.perKind(run);
    assertThat(per).isEqualTo(3);
    for (FaultKind k : FaultKind.values()) {
      assertThat(plan.stream().filter(f -> f.kind() == k).count()).as(k.code()).isEqualTo(k.duringStream() ? per : 1);
    }
    assertThat(plan.get(plan.size() - 1).kind()).isEqualTo(FaultKind.RECONCILE_KILL);
    List<Fault> stream = plan.stream().filter(f -> f.kind().duringStream()).toList();
    for (int i = 0; i < stream.size(); i++) {
      assertThat(stream.get(i).seq()).isEqualTo(i + 1);
      assertThat(stream.get(i).at()).isLessThan(run.multipliedBy(4).dividedBy(5));
      if (i > 0) {
        assertThat(stream.get(i).at()).isGreaterThan(stream.get(i - 1).at());
      }
    }
    assertThat(plan).filteredOn(f -> f.kind() == FaultKind.CLICKHOUSE_STOP).allMatch(f -> f.outage().equals(Duration.ofSeconds(60)));
  }

  @Test
  void aShortRunScalesTheClickHouseOutageAndKeepsOneOfEachKind() {
    List<Fault> plan = FaultSchedule.plan(1, Duration.ofMinutes(2), EnumSet.of(FaultKind.CLICKHOUSE_STOP, FaultKind.SPEED_KILL));
    assertThat(plan).extracting(Fault::kind).containsExactlyInAnyOrder(FaultKind.CLICKHOUSE_STOP, FaultKind.SPEED_KILL);
    assertThat(plan).filteredOn(f -> f.kind() == FaultKind.CLICKHOUSE_STOP).singleElement()
        .satisfies(f -> assertThat(f.outage()).isEqualTo(Duration.ofSeconds(12)));
  }

  @Test
  void faultsListParsesCodesAndRejectsAnUnknownOneInOneLine() {
    assertThat(FaultKind.parseList("all")).isEqualTo(EnumSet.allOf(FaultKind.class));
    assertThat(FaultKind.parseList("speed-kill, KAFKA-kill")).containsExactly(FaultKind.SPEED_KILL, FaultKind.KAFKA_KILL);
    assertThatThrownBy(() -> FaultKind.parseList("speed-kill,disk-full"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown fault kind 'disk-full' in --faults; valid: all or a comma list of speed-kill,connect-kill,kafka-kill,"
            + "clickhouse-stop,clickhouse-kill,s3-outage,catalog-lock,reconcile-kill");
    assertThatThrownBy(() -> FaultKind.parseList("speed-kill,")).hasMessageStartingWith("Unknown fault kind '' in --faults");
  }
}
