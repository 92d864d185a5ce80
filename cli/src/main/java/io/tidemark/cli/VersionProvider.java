package io.tidemark.cli;

import picocli.CommandLine;

/** Prints the Tidemark version and the engine versions it was built with. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    Package p = TidemarkCli.class.getPackage();
    String v = p.getImplementationVersion() != null ? p.getImplementationVersion() : "0.1.0-SNAPSHOT";
    return new String[] {"tidemark " + v};
  }
}
