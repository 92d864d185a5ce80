package io.tidemark.testsupport;

import io.tidemark.stack.Service;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs real services; they are provided by {@link TestServices} before
 * the class runs and stopped at the end of the test run. Test methods and constructors may take a
 * {@link TestServices} or a {@link io.tidemark.core.config.TidemarkConfig} parameter.
 *
 * <pre>{@code
 * @RequiresServices({Service.KAFKA, Service.CLICKHOUSE})
 * class SpeedLayerIT {
 *   @Test
 *   void countsOnePerEventId(TidemarkConfig cfg) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TestServicesExtension.class)
public @interface RequiresServices {
  /** The services the tests need; all of them by default. */
  Service[] value() default {Service.KAFKA, Service.CLICKHOUSE, Service.S3, Service.CATALOG};
}
