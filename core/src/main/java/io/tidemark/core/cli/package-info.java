/**
 * What every Tidemark command line shares with whoever runs it, so that a scheduler can decide from
 * the exit code alone whether to retry: {@link io.tidemark.core.cli.ExitCodes}.
 */
package io.tidemark.core.cli;
