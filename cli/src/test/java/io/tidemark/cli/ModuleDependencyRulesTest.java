package io.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The build's architecture rules, checked on the module poms: dependencies point from layers to
 * shared modules only, and the Flink and Spark layers never meet on one classpath.
 */
class ModuleDependencyRulesTest {
  private static final Path ROOT = Path.of(System.getProperty("tidemark.root", ".."));
  private static final Pattern DEP = Pattern.compile(
      "<artifactId>(tidemark-[a-z-]+)</artifactId>(?:\\s*<version>[^<]*</version>)?(?:\\s*<type>[^<]*</type>)?\\s*(?:<scope>([a-z]+)</scope>)?");

  private static final Map<String, String> SHARED = Map.of(
      "core", "tidemark-core", "schema", "tidemark-schema", "stack", "tidemark-stack",
      "generator", "tidemark-generator", "test-support", "tidemark-test-support");
  private static final List<String> LAYERS = List.of(
      "tidemark-speed-layer", "tidemark-lake", "tidemark-batch-layer", "tidemark-reconcile",
      "tidemark-orchestration", "tidemark-serving", "tidemark-cli");

  private static List<String[]> dependencies(String module) throws Exception {
    String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
    String deps = pom.substring(pom.indexOf("<dependencies>") < 0 ? 0 : pom.indexOf("<dependencies>"));
    List<String[]> out = new ArrayList<>();
    Matcher m = DEP.matcher(deps);
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2) == null ? "compile" : m.group(2)});
    }
    return out;
  }

  @Test
  void sharedModulesNeverDependOnALayer() throws Exception {
    for (String module : SHARED.keySet()) {
      for (String[] dep : dependencies(module)) {
        assertThat(LAYERS).as(module + " depends on " + dep[0]).doesNotContain(dep[0]);
      }
    }
  }

  @Test
  void flinkAndSparkLayersNeverShareAClasspath() throws Exception {
    for (String[] dep : dependencies("speed-layer")) {
      assertThat(dep[0]).isNotEqualTo("tidemark-batch-layer");
    }
    for (String[] dep : dependencies("batch-layer")) {
      assertThat(dep[0]).isNotEqualTo("tidemark-speed-layer");
    }
    for (String[] dep : dependencies("cli")) {
      if (!dep[1].equals("test")) {
        assertThat(dep[0]).as("the CLI runs layers in child JVMs").isNotIn(LAYERS);
      }
    }
  }

  /**
   * reconcile's tests run the speed layer in a child JVM (SpeedBatchParityIT); the speed layer is
   * declared only to build it first: as a pom with every transitive dependency excluded.
   */
  @Test
  void sparkModulesDeclareTheSpeedLayerOnlyForBuildOrder() throws Exception {
    for (String module : List.of("batch-layer", "reconcile")) {
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      Matcher m = Pattern.compile("<dependency>((?:(?!</dependency>).)*<artifactId>tidemark-speed-layer</artifactId>"
          + "(?:(?!</dependency>).)*)</dependency>", Pattern.DOTALL).matcher(pom);
      while (m.find()) {
        assertThat(m.group(1)).as(module + " declares the speed layer").contains("<type>pom</type>")
            .contains("<scope>test</scope>")
            .contains("<exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion>");
      }
    }
  }
}
