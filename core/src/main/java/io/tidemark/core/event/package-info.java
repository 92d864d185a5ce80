/**
 * The event contract: the seed JSON format, its Avro twin, and the validity rules with stable
 * reasons. Every layer turns bytes into events only through {@link
 * io.tidemark.core.event.PageViewParser}.
 */
package io.tidemark.core.event;
