package io.tidemark.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.testsupport.LayerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metric names ops/ queries: every PromQL expression of ops/grafana/dashboards/*.json and
 * ops/prometheus/alerts.yml, reduced to the metric names in it (functions, keywords, label
 * matchers, ranges and grouping labels dropped). Tested by OpsQueriesTest, used by
 * OpsScrapeTargetsIT to compare against what the components really serve.
 */
final class OpsQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> PROMQL_WORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset");

  private OpsQueries() {}

  /** Every expression of the dashboards' panels and the alerting rules. */
  static List<String> expressions(Path root) throws IOException {
    List<String> exprs = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("ops/grafana/dashboards"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        for (JsonNode panel : JSON.readTree(f.toFile()).path("panels")) {
          panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
      }
    }
    Matcher rule = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$").matcher(Files.readString(root.resolve("ops/prometheus/alerts.yml")));
    while (rule.find()) {
      exprs.add(rule.group(1));
    }
    return exprs;
  }

  /** Every metric name with this prefix ("" for all) that a dashboard or an alert queries. */
  static Set<String> queriedMetrics(String prefix) throws IOException {
    List<String> exprs = expressions(LayerProcess.projectRoot());
    if (exprs.size() < 20) {
      throw new AssertionError("Only " + exprs.size() + " expressions found in ops/: is the layout unchanged?");
    }
    Set<String> names = new TreeSet<>();
    exprs.forEach(e -> names.addAll(metricsIn(e)));
    names.removeIf(n -> !n.startsWith(prefix));
    return names;
  }

  /** The metric names of one PromQL expression: identifiers that are not functions, keywords or labels. */
  static Set<String> metricsIn(String expr) {
    String e = expr
        .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^\\]]*\\]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      String rest = e.substring(m.end()).stripLeading();
      boolean function = rest.startsWith("(");
      boolean number = m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.');
      if (!function && !number && !PROMQL_WORDS.contains(m.group())) {
        out.add(m.group());
      }
    }
    return out;
  }
}
