package io.tidemark.cli.chaos;

import java.time.Duration;
import java.time.Instant;

/**
 * What happened when a fault struck.
 *
 * @param fault the planned fault
 * @param struck when it struck
 * @param outage how long the struck service was really away (kill to restart issued)
 * @param recovery from the restart (or the lock released) until the outputs moved again, see
 *     {@link ChaosReport#RECOVERY_DEFINITION}; {@code null} when they did not within the timeout
 * @param note what was struck, e.g. "pid 1234" or "INSERT running", or why it was skipped
 */
public record FaultOutcome(Fault fault, Instant struck, Duration outage, Duration recovery, String note) {}
