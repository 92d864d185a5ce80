package io.tidemark.speed;

import io.tidemark.core.config.ConfigOption;

/** Renders the configuration table of {@code docs/speed-layer.md} from {@link SpeedOptions#all()}. */
public final class SpeedOptionsDoc {
  private SpeedOptionsDoc() {}

  /** Begin and end markers of the generated table in the document. */
  public static final String BEGIN = "<!-- speed-options:begin (generated from SpeedOptions; SpeedOptionsTest checks it) -->";
  public static final String END = "<!-- speed-options:end -->";

  public static String table() {
    StringBuilder md = new StringBuilder();
    md.append("| Key | Env | Option | Default | Description |\n|---|---|---|---|---|\n");
    for (ConfigOption<?> o : SpeedOptions.all()) {
      md.append("| `").append(o.key()).append("` | `").append(o.envName()).append("` | `")
          .append(SpeedLayerMain.optionName(o)).append("` | ")
          .append(o.hasDefault() ? "`" + o.format(o.defaultValue()) + "`" : "")
          .append(" | ").append(o.description().replace("|", "\\|")).append(" |\n");
    }
    return md.toString();
  }

  /** Prints the table (to paste between the markers). */
  public static void main(String[] args) {
    System.out.print(table());
  }
}
