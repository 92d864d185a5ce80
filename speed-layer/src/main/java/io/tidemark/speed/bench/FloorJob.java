package io.tidemark.speed.bench;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.core.event.PageViewEvent;
import io.tidemark.core.metric.CountMetric;
import io.tidemark.core.metric.Windows;
import io.tidemark.speed.count.CountUpdate;
import io.tidemark.speed.SpeedLayerJob;
import io.tidemark.speed.count.DeadLetterRouter;
import io.tidemark.speed.count.MetricKeySelector;
import io.tidemark.speed.source.PageViewEventTypeInfo;
import java.util.Locale;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of the speed layer that any Flink job counting page views per user must run, as jobs
 * of their own: the benchmark times them over the same backlog as the real job, so that a missed
 * throughput target can be traced to the layer's own work or to the floor under it.
 *
 * <p>Each floor adds one step to the one before: {@link Floor#PARSE} is the job's Kafka source,
 * deserializer (parse and validation) and watermarks with nothing after them; {@link
 * Floor#SHUFFLE} adds the {@code keyBy(user_id)} every per-user count needs (each event serialized,
 * sent through Flink's network stack and read back); {@link Floor#KEYED_STATE} adds the least
 * per-user state there is, one {@code ValueState<Long>} read and written per event; {@link
 * Floor#CELL_WRITES} sends each event's (user, minute) cell with that count to the layer's own
 * ClickHouse sink, which writes every changed cell as the layer does (the counts are not per
 * window: a floor, not a result). A {@link DrainTimingSink} drops the records and logs when it saw
 * the first and the last.
 */
public final class FloorJob {
  private FloorJob() {}

  /** The floors, each one step more than the one before. */
  public enum Floor {
    PARSE("Kafka source + parse + watermarks"),
    SHUFFLE("+ keyBy(user_id) shuffle"),
    KEYED_STATE("+ one ValueState<Long> per user"),
    CELL_WRITES("+ every changed (user, minute) cell written to ClickHouse");

    private final String description;

    Floor(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }

    public String argument() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Floor parse(String argument) {
      return valueOf(argument.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /** Adds the floor job reading the speed layer's configured topic to {@code env}. */
  public static void build(StreamExecutionEnvironment env, TidemarkConfig cfg, Floor floor) {
    DataStream<PageViewEvent> events =
        env.fromSource(SpeedLayerJob.kafkaSource(cfg, true), SpeedLayerJob.watermarks(cfg), "pageview-events")
            .process(new DeadLetterRouter(SpeedLayerJob.DEAD_LETTERS), PageViewEventTypeInfo.INSTANCE)
            .name("route-dead-letters");
    DataStream<?> last = switch (floor) {
      case PARSE -> events;
      case SHUFFLE -> events.keyBy(new MetricKeySelector(CountMetric.USER));
      case KEYED_STATE -> events.keyBy(new MetricKeySelector(CountMetric.USER))
          .process(new CountPerKey(), Types.LONG).name("value-state-per-user");
      case CELL_WRITES -> {
        DataStream<CountUpdate> cells = events.keyBy(new MetricKeySelector(CountMetric.USER))
            .process(new CellPerEvent(), TypeInformation.of(CountUpdate.class)).name("value-state-per-user-cells");
        cells.sinkTo(SpeedLayerJob.countSink(cfg, CountMetric.USER)).name("clickhouse-user-counts");
        yield cells;
      }
    };
    sinkTo(last, new DrainTimingSink<>());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void sinkTo(DataStream<?> stream, DrainTimingSink<?> sink) {
    ((DataStream) stream).sinkTo((Sink) sink).name("drain-timing");
  }

  /** One state read and one write per event; what is emitted with the new count is the subclass's. */
  abstract static class PerUserCount<O> extends KeyedProcessFunction<String, PageViewEvent, O> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> count;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void processElement(PageViewEvent event, Context ctx, Collector<O> out) throws Exception {
      Long c = count.value();
      long next = c == null ? 1 : c + 1;
      count.update(next);
      out.collect(output(ctx.getCurrentKey(), event, next));
    }

    abstract O output(String user, PageViewEvent event, long count);
  }

  /** Emits each key's count. */
  static final class CountPerKey extends PerUserCount<Long> {
    private static final long serialVersionUID = 1L;

    @Override
    Long output(String user, PageViewEvent event, long count) {
      return count;
    }
  }

  /** Emits the event's (user, minute) cell with the user's count as its count and version. */
  static final class CellPerEvent extends PerUserCount<CountUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    CountUpdate output(String user, PageViewEvent event, long count) {
      return new CountUpdate(user, Windows.windowStart(event.timestamp()), count, count, event.timestamp());
    }
  }

  /**
   * Drops every record; each writer logs {@link #FIRST_MARKER} with the epoch milliseconds of its
   * first record and {@link #LAST_MARKER} with those of its end of input and its record count.
   */
  public static final class DrainTimingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    static final String FIRST_MARKER = "floor sink first record, epoch ms ";
    static final String LAST_MARKER = "floor sink end of input, epoch ms and records ";
    private static final Logger LOG = LoggerFactory.getLogger(DrainTimingSink.class);

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        private long records;

        @Override
        public void write(T element, Context context) {
          if (records++ == 0) {
            LOG.info("{}{}", FIRST_MARKER, System.currentTimeMillis());
          }
        }

        @Override
        public void flush(boolean endOfInput) {
          if (endOfInput) {
            LOG.info("{}{} {}", LAST_MARKER, System.currentTimeMillis(), records);
          }
        }

        @Override
        public void close() {}
      };
    }
  }
}
