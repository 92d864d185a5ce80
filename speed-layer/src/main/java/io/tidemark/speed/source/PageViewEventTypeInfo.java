package io.tidemark.speed.source;

import io.tidemark.core.event.PageViewEvent;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type of {@link PageViewEvent} with the {@link PageViewEventSerializer}: the event contract
 * lives in core, which does not depend on Flink, so the speed layer names the type where its
 * streams are built instead of annotating the record.
 */
public final class PageViewEventTypeInfo extends TypeInformation<PageViewEvent> {
  private static final long serialVersionUID = 1L;

  /** The only instance. */
  public static final PageViewEventTypeInfo INSTANCE = new PageViewEventTypeInfo();

  private PageViewEventTypeInfo() {}

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<PageViewEvent> getTypeClass() {
    return PageViewEvent.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<PageViewEvent> createSerializer(SerializerConfig config) {
    return PageViewEventSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "PageViewEvent";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof PageViewEventTypeInfo;
  }

  @Override
  public int hashCode() {
    return PageViewEventTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof PageViewEventTypeInfo;
  }
}
