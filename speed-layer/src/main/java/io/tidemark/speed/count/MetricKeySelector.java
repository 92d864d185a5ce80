package io.tidemark.speed.count;

import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys events by a metric's key, as defined once in {@link CountMetric}. */
public final class MetricKeySelector implements KeySelector<PageViewEvent, String> {
  private static final long serialVersionUID = 1L;
  private final CountMetric metric;

  public MetricKeySelector(CountMetric metric) {
    this.metric = metric;
  }

  @Override
  public String getKey(PageViewEvent event) {
    return metric.keyOf(event);
  }
}
