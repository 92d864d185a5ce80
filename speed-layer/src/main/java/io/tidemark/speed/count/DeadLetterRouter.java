package io.tidemark.speed.count;

import io.tidemark.core.event.PageViewEvent;
import io.tidemark.speed.source.DeadLetter;
import io.tidemark.speed.source.SourceRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Splits the source's records: valid events continue, dead letters go to a side output. */
public class DeadLetterRouter extends ProcessFunction<SourceRecord, PageViewEvent> {
  private static final long serialVersionUID = 1L;

  private final OutputTag<DeadLetter> deadLetterTag;

  public DeadLetterRouter(OutputTag<DeadLetter> deadLetterTag) {
    this.deadLetterTag = deadLetterTag;
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<PageViewEvent> out) {
    if (record.isValid()) {
      out.collect(record.event());
    } else {
      ctx.output(deadLetterTag, record.deadLetter());
    }
  }
}
