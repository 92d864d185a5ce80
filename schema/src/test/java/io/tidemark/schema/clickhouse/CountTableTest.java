package io.tidemark.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.metric.CountMetric;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CountTableTest {
  @ParameterizedTest
  @EnumSource(CountMetric.class)
  void everyMetricHasTheTableWithItsServingNameAndKeyColumn(CountMetric metric) {
    CountTable t = CountTable.of(metric);
    assertThat(t.viewName()).isEqualTo(metric.servingTable());
    assertThat(t.keyColumn()).isEqualTo(metric.keyColumn());
    assertThat(t.storeTable()).isEqualTo(metric.servingTable() + "_store");
  }

  @Test
  void theMappingIsOneToOne() {
    Set<CountTable> mapped = EnumSet.noneOf(CountTable.class);
    for (CountMetric m : CountMetric.values()) {
      mapped.add(CountTable.of(m));
    }
    assertThat(mapped).containsExactlyInAnyOrder(CountTable.values());
    assertThat(CountTable.of(CountMetric.USER)).isEqualTo(CountTable.USER_PAGE_COUNTS);
    assertThat(CountTable.of(CountMetric.PAGE)).isEqualTo(CountTable.PAGE_VIEW_COUNTS);
  }
}
