package io.tidemark.generator;

/** Progress of a generator run, for progress bars. Called from the sending thread. */
public interface GeneratorListener {
  /** Called about every 100 ms and once at the end with {@code sent == total}. */
  void onProgress(long sent, long total);
}
