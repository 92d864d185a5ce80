package io.tidemark.speed.count;

import io.tidemark.core.event.PageViewEvent;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Runs a {@link WindowCountFunction} and expires its windows from the function's {@link
 * ExpiryIndex} instead of from Flink timers.
 *
 * <p>Why an operator: only an operator sees every watermark and may make any key the current one,
 * which is what expiring a list of keys needs (Flink's own timer service does the same). On open,
 * after a restore, it walks the restored keys once to rebuild the index, so the index never has
 * to be checkpointed. Everything else is the plain {@link KeyedProcessOperator}.
 */
public final class WindowCountOperator extends KeyedProcessOperator<String, PageViewEvent, CountUpdate> {
  private static final long serialVersionUID = 1L;

  public WindowCountOperator(WindowCountFunction function) {
    super(function);
  }

  @Override
  public void open() throws Exception {
    super.open();
    WindowCountFunction function = (WindowCountFunction) getUserFunction();
    // exactly the heap backend: a wrapper (changelog) or RocksDB hands out copies
    function.updateCellsInPlace(getKeyedStateBackend().getClass() == HeapKeyedStateBackend.class);
    List<String> keys;
    try (Stream<String> restored =
        this.<String>getKeyedStateBackend().getKeys(WindowCountFunction.CELLS_STATE, VoidNamespace.INSTANCE)) {
      // collected first: the walk reads state, and must not iterate a map it reads from
      keys = restored.collect(Collectors.toList());
    }
    for (String key : keys) {
      setCurrentKey(key);
      function.indexCurrentKey(key);
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    ((WindowCountFunction) getUserFunction()).expireUpTo(mark.getTimestamp(), this::setCurrentKey);
    super.processWatermark(mark);
  }
}
