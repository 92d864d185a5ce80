package io.tidemark.cli.chaos;

import java.time.Duration;

/**
 * One planned fault.
 *
 * @param seq its number in the schedule, from 1
 * @param kind what strikes
 * @param at when, after traffic starts (for {@link FaultKind#RECONCILE_KILL}: 0, it strikes in the
 *     nightly phase)
 * @param outage how long the struck service stays away before it is restarted (zero for a kill
 *     restarted at once)
 */
public record Fault(int seq, FaultKind kind, Duration at, Duration outage) {}
