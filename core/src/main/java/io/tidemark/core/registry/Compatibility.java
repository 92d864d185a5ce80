package io.tidemark.core.registry;

import java.util.List;

/**
 * The registry's verdict on a candidate schema for a subject.
 *
 * @param compatible whether the registry would accept the candidate as the subject's next version
 * @param messages the registry's reasons when it gives any ({@code verbose=true}); Confluent's
 *     registry does, Apicurio's Confluent API answers with the verdict only
 */
public record Compatibility(boolean compatible, List<String> messages) {
  public Compatibility {
    messages = List.copyOf(messages);
  }
}
