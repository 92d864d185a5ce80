package io.tidemark.speed.count;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * The incarnation number of a count operator, the high bits of every version it writes
 * ({@link Versions}): at least one more than the generation of the checkpoint it restored from,
 * so every row written after a restore beats every row written before it. Kept in union operator
 * state, so a rescaled job still sees the highest generation of all old subtasks.
 */
final class VersionGeneration {
  private ListState<Long> state;
  private long generation;

  /** Reads the restored generations (if any) and starts the next one. */
  void initialize(FunctionInitializationContext context) throws Exception {
    state = context.getOperatorStateStore()
        .getUnionListState(new ListStateDescriptor<>("version-generation", Types.LONG));
    long restored = -1;
    if (context.isRestored()) {
      for (Long g : state.get()) {
        restored = Math.max(restored, g);
      }
    }
    generation = Versions.generation(System.currentTimeMillis(), restored);
  }

  void snapshot() throws Exception {
    state.update(List.of(generation));
  }

  long version(long count) {
    return Versions.version(generation, count);
  }
}
