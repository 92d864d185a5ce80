/**
 * Real services for JUnit tests: {@link io.tidemark.testsupport.TestServices} (once per JVM,
 * always stopped) and {@link io.tidemark.testsupport.RequiresServices} for test classes.
 */
package io.tidemark.testsupport;
