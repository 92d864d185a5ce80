package io.tidemark.lake.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowValuesTest {
  @Test
  void keepsColumnsInInsertionOrderLeavesOutNullsAndGrowsBeyondItsCapacity() {
    RowValues row = new RowValues(2);
    row.add("a", 1);
    row.add("b", null);
    row.add("c", "x");
    row.add("d", 4L);
    List<String> seen = new ArrayList<>();
    row.forEach((k, v) -> seen.add(k + "=" + v));
    assertThat(seen).containsExactly("a=1", "c=x", "d=4");
    assertThat(row).hasSize(3).containsEntry("c", "x").doesNotContainKey("b");
    assertThat(row.get("d")).isEqualTo(4L);
    assertThat(row.get("missing")).isNull();
    assertThat(row).isEqualTo(Map.of("a", 1, "c", "x", "d", 4L));
  }

  @Test
  void readersCannotChangeIt() {
    RowValues row = new RowValues(1);
    row.add("a", 1);
    assertThatThrownBy(() -> row.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
  }
}
