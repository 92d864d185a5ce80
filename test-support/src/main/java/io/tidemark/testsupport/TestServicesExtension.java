package io.tidemark.testsupport;

import io.tidemark.core.config.TidemarkConfig;
import io.tidemark.stack.Service;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Provides {@link TestServices} to a test class and stops them when the whole test run ends.
 *
 * <p>The stop is a value in the root context's store: JUnit closes it once after the last test of
 * the run, whatever the outcome. It is an {@link AutoCloseable} rather than the older {@code
 * ExtensionContext.Store.CloseableResource}, which JUnit deprecated in 5.13 in favour of exactly
 * this; JUnit closes both kinds the same way. The JVM shutdown hook of {@link TestServices} covers
 * runs that use {@link TestServices#get} without this extension.
 */
public final class TestServicesExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestServicesExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(StopAtEndOfRun.class, k -> new StopAtEndOfRun(), StopAtEndOfRun.class);
    Service[] needed =
        AnnotationSupport.findAnnotation(context.getRequiredTestClass(), RequiresServices.class)
            .map(RequiresServices::value)
            .orElse(Service.values());
    TestServices.get(needed);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestServices.class || type == TidemarkConfig.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Service[] needed =
        AnnotationSupport.findAnnotation(context.getRequiredTestClass(), RequiresServices.class)
            .map(RequiresServices::value)
            .orElse(Service.values());
    TestServices services = TestServices.get(needed);
    return parameter.getParameter().getType() == TestServices.class ? services : services.config();
  }

  /** Stops the JVM's test services when JUnit closes the root store at the end of the run. */
  static final class StopAtEndOfRun implements AutoCloseable {
    @Override
    public void close() {
      TestServices.stopAll();
    }
  }
}
