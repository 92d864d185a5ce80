package io.tidemark.reconcile.drift;

/**
 * A batch count and what the lake knows about its events.
 *
 * @param count distinct valid events of the cell
 * @param tooLate of which arrived after the speed layer's horizon
 * @param notStreamed of which never went through Kafka
 */
public record BatchCell(long count, long tooLate, long notStreamed) {}
