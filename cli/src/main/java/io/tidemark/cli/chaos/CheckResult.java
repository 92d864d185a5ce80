package io.tidemark.cli.chaos;

import java.util.List;

/**
 * The outcome of one chaos check.
 *
 * @param id short stable name ({@code speed-cells}, {@code lake-exactly-once}, ...)
 * @param title what was checked, one line
 * @param exact whether the subject equals the oracle exactly
 * @param compared how many items (cells, offsets, figures, records) were compared
 * @param differing how many differ
 * @param firstDifferences the first {@link ChaosChecks#FIRST_N} differences, each "key: expected X, got Y"
 */
public record CheckResult(String id, String title, boolean exact, long compared, long differing, List<String> firstDifferences) {
  public String verdict() {
    return exact ? "exact" : "failed";
  }
}
