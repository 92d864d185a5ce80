package io.tidemark.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.core.config.ConfigOption;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeedLayerMainTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream saved = System.out;
    System.setOut(o); // picocli's help goes to System.out
    try {
      int code = SpeedLayerMain.run(args, Map.of(), o, e);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void helpListsEveryOptionWithItsDescriptionAndDefault() throws Exception {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    for (ConfigOption<?> o : SpeedOptions.all()) {
      assertThat(r.out()).contains(SpeedLayerMain.optionName(o));
    }
    assertThat(r.out()).contains("(default: 10s)").contains("--config").contains("run (default)");
  }

  @Test
  void unknownSpeedKeyFailsWithOneLineNamingTheClosestKey() throws Exception {
    Result r = run("-Dtidemark.speed.allowed-latness=3m", "--skip-preflight");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "speed-layer: Unknown configuration key tidemark.speed.allowed-latness (did you mean tidemark.speed.allowed-lateness?)");
  }

  @Test
  void badValueFailsWithOneLine() throws Exception {
    Result r = run("run", "--allowed-lateness", "soon", "--skip-preflight");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "speed-layer: Invalid value 'soon' for tidemark.speed.allowed-lateness (TIDEMARK_SPEED_ALLOWED_LATENESS): expected a duration such as 500ms, 10s, 5m, 2h or 1d");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void keysOfOtherComponentsInASharedFileAreNotOursToReject(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tidemark.properties");
    Files.writeString(file, "tidemark.batch.something=1\ntidemark.speed.parallelism=0\n");
    Result r = run("--config", file.toString(), "--skip-preflight");
    assertThat(r.err().strip()).isEqualTo("speed-layer: tidemark.speed.parallelism must be positive, got 0");
  }

  @Test
  void latestCheckpointIsTheNewestWithMetadata(@TempDir Path dir) throws Exception {
    assertThat(SpeedLayerMain.latestCheckpoint(dir)).isEmpty();
    Path old = Files.createDirectories(dir.resolve("job1/chk-3"));
    Files.writeString(old.resolve("_metadata"), "x");
    Files.setLastModifiedTime(old.resolve("_metadata"), java.nio.file.attribute.FileTime.fromMillis(1_000));
    Path incomplete = Files.createDirectories(dir.resolve("job2/chk-9"));
    Path newer = Files.createDirectories(dir.resolve("job2/chk-8"));
    Files.writeString(newer.resolve("_metadata"), "x");
    assertThat(SpeedLayerMain.latestCheckpoint(dir)).contains(newer);
    assertThat(incomplete).exists();
  }

  @Test
  void freshAndAnExplicitRestorePathContradictEachOther() throws Exception {
    Result r = run("run", "--fresh", "--restore-from", "/tmp/chk-1", "--skip-preflight");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo("speed-layer: --fresh and --restore-from /tmp/chk-1 contradict each other: pass one of them");
  }

  @Test
  void aCorruptNewestCheckpointFailsTheStartWithOneLineNamingItAndFresh(@TempDir Path dir) throws Exception {
    Path chk = Files.createDirectories(dir.resolve("0a1b2c/chk-7"));
    Files.writeString(chk.resolve("_metadata"), "not a checkpoint");
    Result r = run("run", "--checkpoint-dir", dir.toString(), "--skip-preflight");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err().strip())
        .startsWith("speed-layer: Cannot restore checkpoint file:" + chk.toAbsolutePath() + ": its _metadata cannot be read (")
        .endsWith("Start over with --fresh (open windows are recounted from tidemark.speed.starting-offsets until the"
            + " nightly reconcile), or pass --restore-from PATH of an older checkpoint");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void withoutACheckpointAStartSaysItBeginsFromTheStartingOffsets(@TempDir Path dir) {
    CheckpointRestore.Decision d = CheckpointRestore.decide(config(dir, "latest"));
    assertThat(d.path()).isEmpty();
    assertThat(d.message())
        .isEqualTo("no completed checkpoint under file:" + dir.toAbsolutePath()
            + ": starting from tidemark.speed.starting-offsets=committed");
  }

  @Test
  void freshIgnoresCheckpointsThatArePresentAndSaysSo(@TempDir Path dir) throws Exception {
    Path chk = Files.createDirectories(dir.resolve("job/chk-2"));
    Files.writeString(chk.resolve("_metadata"), "x");
    CheckpointRestore.Decision d = CheckpointRestore.decide(config(dir, "none"));
    assertThat(d.path()).isEmpty();
    assertThat(d.message())
        .startsWith("starting fresh (--fresh) from tidemark.speed.starting-offsets=committed without state:"
            + " 1 checkpoint(s) under ")
        .endsWith("ignored, not deleted; the newest is file:" + chk.toAbsolutePath());
    assertThat(chk.resolve("_metadata")).exists();
  }

  @Test
  void restoreFromDefaultsToLatest() {
    assertThat(SpeedOptions.RESTORE_FROM.defaultValue()).isEqualTo(CheckpointRestore.LATEST);
  }

  private static io.tidemark.core.config.TidemarkConfig config(Path dir, String restoreFrom) {
    return io.tidemark.core.config.TidemarkConfig.of(Map.of(
        SpeedOptions.CHECKPOINT_DIR.key(), dir.toString(), SpeedOptions.RESTORE_FROM.key(), restoreFrom));
  }
}
