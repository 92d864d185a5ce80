package io.tidemark.speed;

import io.tidemark.core.config.TidemarkConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;

/**
 * Decides where a started speed layer takes its state from, the way Flink's Kubernetes operator's
 * {@code last-state} upgrade mode does: a plain restart resumes from the newest completed
 * checkpoint under {@code tidemark.speed.checkpoint-dir}, because starting without state after a
 * crash rewrites every open window with a partial count (each new emission carries a higher
 * version than the rows written before the crash) until the nightly reconcile repairs the day.
 *
 * <p>Only an explicit {@code --fresh} starts over. A checkpoint that is there but cannot be read
 * (a truncated {@code _metadata}, a state file gone) is never skipped silently: {@link #decide}
 * throws {@link UnrestorableCheckpointException} naming it, so the operator chooses between an
 * older checkpoint and a fresh start.
 */
final class CheckpointRestore {
  /** The value of {@code tidemark.speed.restore-from} that resumes from the newest checkpoint. */
  static final String LATEST = "latest";

  /** The value of {@code tidemark.speed.restore-from} that starts without state ({@code --fresh}). */
  static final String NONE = "none";

  private CheckpointRestore() {}

  /** Where the job's state comes from, and the one line that tells the operator. */
  record Decision(Optional<String> path, String message) {}

  /**
   * The restore decision for {@code tidemark.speed.restore-from} (default {@value #LATEST}).
   *
   * @throws UnrestorableCheckpointException when the chosen checkpoint cannot be read
   */
  static Decision decide(TidemarkConfig cfg) {
    String restoreFrom = cfg.get(SpeedOptions.RESTORE_FROM).trim();
    String dir = new Path(SpeedLayerJob.checkpointUri(cfg.require(SpeedOptions.CHECKPOINT_DIR))).toString();
    String offsets = SpeedOptions.STARTING_OFFSETS.key() + "=" + cfg.get(SpeedOptions.STARTING_OFFSETS);
    if (restoreFrom.equals(NONE)) {
      List<Path> present = completedCheckpoints(dir);
      String ignored = present.isEmpty()
          ? "no checkpoint under " + dir
          : present.size() + " checkpoint(s) under " + dir + " ignored, not deleted; the newest is "
              + present.get(present.size() - 1);
      return new Decision(Optional.empty(),
          "starting fresh (--fresh) from " + offsets + " without state: " + ignored);
    }
    Path chosen;
    if (restoreFrom.equals(LATEST)) {
      List<Path> present = completedCheckpoints(dir);
      if (present.isEmpty()) {
        // Nothing was checkpointed, so no offset was committed either: a start from the committed
        // offsets reads the same records again and rewrites the same windows (idempotent).
        return new Decision(Optional.empty(), "no completed checkpoint under " + dir + ": starting from " + offsets);
      }
      chosen = present.get(present.size() - 1);
    } else {
      chosen = new Path(SpeedLayerJob.checkpointUri(restoreFrom));
    }
    CheckpointMetadata metadata = verify(chosen);
    return new Decision(Optional.of(chosen.toUri().toString()),
        "resuming from checkpoint " + chosen + " (checkpoint " + metadata.getCheckpointId() + ", written "
            + Instant.ofEpochMilli(modified(new Path(chosen, "_metadata"))) + ")");
  }

  /**
   * Completed checkpoints ({@code <job-id>/chk-<n>} with a {@code _metadata} file) under {@code
   * dir}, oldest first: by the time {@code _metadata} was written, then by checkpoint number. Flink
   * writes {@code _metadata} last, so a checkpoint cut short by a crash has none and is not listed.
   */
  static List<Path> completedCheckpoints(String dir) {
    List<Candidate> found = new ArrayList<>();
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem();
      if (!fs.exists(root)) {
        return List.of();
      }
      for (FileStatus job : list(fs, root)) {
        if (!job.isDir()) {
          continue;
        }
        for (FileStatus chk : list(fs, job.getPath())) {
          String name = chk.getPath().getName();
          if (!chk.isDir() || !name.matches("chk-\\d+")) {
            continue;
          }
          Path metadata = new Path(chk.getPath(), "_metadata");
          if (fs.exists(metadata)) {
            found.add(new Candidate(chk.getPath(), fs.getFileStatus(metadata).getModificationTime(),
                Long.parseLong(name.substring(4))));
          }
        }
      }
    } catch (IOException e) {
      throw new UnrestorableCheckpointException(
          "Cannot list the checkpoints under " + dir + " (" + e.getMessage() + "): fix "
              + SpeedOptions.CHECKPOINT_DIR.key() + ", pass --restore-from PATH, or start over with --fresh");
    }
    found.sort((a, b) -> a.modified != b.modified ? Long.compare(a.modified, b.modified) : Long.compare(a.id, b.id));
    return found.stream().map(Candidate::path).toList();
  }

  private record Candidate(Path path, long modified, long id) {}

  private static FileStatus[] list(FileSystem fs, Path p) throws IOException {
    FileStatus[] s = fs.listStatus(p);
    return s == null ? new FileStatus[0] : s;
  }

  /**
   * Reads the checkpoint's metadata and opens every state file it references, so that a checkpoint
   * Flink could not restore fails here, with its path, instead of inside a restarting job.
   */
  static CheckpointMetadata verify(Path checkpoint) {
    Path metadataFile = new Path(checkpoint, "_metadata");
    CheckpointMetadata metadata;
    try (InputStream in = metadataFile.getFileSystem().open(metadataFile)) {
      metadata = Checkpoints.loadCheckpointMetadata(
          new DataInputStream(in), CheckpointRestore.class.getClassLoader(), checkpoint.toString());
    } catch (IOException | RuntimeException e) {
      throw unrestorable(checkpoint, "its _metadata cannot be read (" + reason(e) + ")");
    }
    for (OperatorState operator : metadata.getOperatorStates()) {
      for (OperatorSubtaskState subtask : operator.getStates()) {
        List<StreamStateHandle> files = new ArrayList<>();
        for (OperatorStateHandle h : subtask.getManagedOperatorState()) {
          files.add(h);
        }
        for (OperatorStateHandle h : subtask.getRawOperatorState()) {
          files.add(h);
        }
        for (KeyedStateHandle h : subtask.getManagedKeyedState()) {
          addKeyed(h, files);
        }
        for (KeyedStateHandle h : subtask.getRawKeyedState()) {
          addKeyed(h, files);
        }
        for (StreamStateHandle file : files) {
          try (InputStream in = file.openInputStream()) {
            in.read();
          } catch (IOException | RuntimeException e) {
            throw unrestorable(checkpoint, "state of operator " + operator.getOperatorID() + " cannot be read ("
                + reason(e) + ")");
          }
        }
      }
    }
    return metadata;
  }

  private static void addKeyed(KeyedStateHandle h, List<StreamStateHandle> files) {
    if (h instanceof StreamStateHandle s) {
      files.add(s);
    } else if (h instanceof IncrementalRemoteKeyedStateHandle inc) {
      files.add(inc.getMetaDataStateHandle());
      inc.getSharedState().forEach(s -> files.add(s.getHandle()));
      inc.getPrivateState().forEach(s -> files.add(s.getHandle()));
    }
  }

  private static long modified(Path p) {
    try {
      return p.getFileSystem().getFileStatus(p).getModificationTime();
    } catch (IOException e) {
      return 0L;
    }
  }

  static UnrestorableCheckpointException unrestorable(Object checkpoint, String why) {
    return new UnrestorableCheckpointException(
        "Cannot restore checkpoint " + checkpoint + ": " + why + ". Start over with --fresh (open windows are"
            + " recounted from " + SpeedOptions.STARTING_OFFSETS.key() + " until the nightly reconcile), or pass"
            + " --restore-from PATH of an older checkpoint");
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return (m == null || m.isBlank() ? root.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
  }

  /** A checkpoint exists but cannot be restored; the message names it and the way out. */
  static final class UnrestorableCheckpointException extends RuntimeException {
    UnrestorableCheckpointException(String message) {
      super(message);
    }
  }
}
