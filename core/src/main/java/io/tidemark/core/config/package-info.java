/**
 * Typed configuration: every key is declared once as a {@link io.tidemark.core.config.ConfigOption}
 * in a per-component {@code *Options} class, resolved by {@link
 * io.tidemark.core.config.TidemarkConfig} from defaults, a properties file, {@code TIDEMARK_*}
 * environment variables and command-line overrides.
 */
package io.tidemark.core.config;
