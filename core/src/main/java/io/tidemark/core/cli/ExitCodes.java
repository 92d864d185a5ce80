package io.tidemark.core.cli;

/**
 * Exit codes of the batch and reconcile tools ({@code tidemark batch run}, {@code reconcile},
 * {@code backfill}, {@code drift}, {@code days}), the contract between them and the Airflow DAGs
 * in {@code orchestration/dags/}: a task retries {@link #FAILED} and fails at once on {@link
 * #USAGE} and {@link #REFUSED}, so a day that cannot succeed (no lake data, inside the lateness
 * horizon) no longer holds {@code tidemark_nightly} through its retries.
 *
 * <p>Which code a failure gets is decided by the exception's {@code isRetryable()} (Tidemark's
 * {@code BatchException}, {@code ReconcileException}, {@code StoreException}); an exception
 * Tidemark did not anticipate counts as retryable, since nothing says that retrying cannot help.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Done. */
  public static final int OK = 0;

  /** Failed in a way that running again unchanged may fix (a service unreachable, a commit conflict). */
  public static final int FAILED = 1;

  /** Bad usage or configuration (picocli's convention): unknown option, malformed date, unknown key. */
  public static final int USAGE = 2;

  /** Refused: retrying unchanged cannot help (no lake data for the day, a day inside the lateness horizon). */
  public static final int REFUSED = 3;

  /**
   * The {@code --help} footer listing these codes; picocli expands {@code %n}. A constant, so that
   * command annotations can use it: {@code @Command(footer = ExitCodes.HELP_FOOTER)}.
   */
  public static final String HELP_FOOTER =
      "%nExit codes: 0 done; 1 failed, a retry may help (a service unreachable); 2 bad usage or"
          + " configuration; 3 refused, retrying cannot help (no lake data for the day, a day inside"
          + " the lateness horizon, a reversed range).";

  /** The exit code for a failure that says whether a retry can help. */
  public static int of(boolean retryable) {
    return retryable ? FAILED : REFUSED;
  }
}
