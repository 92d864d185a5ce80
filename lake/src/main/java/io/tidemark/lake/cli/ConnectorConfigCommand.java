package io.tidemark.lake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.lake.LakeMain;
import io.tidemark.lake.connect.ArchiveConnectorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code lake connector-config}: the connector JSON for a distributed Connect cluster. */
@Command(
    name = "connector-config",
    mixinStandardHelpOptions = true,
    description = {
      "Print the connector's JSON for a distributed Kafka Connect cluster.",
      "Built from the current Tidemark configuration (PUT /connectors/<name>/config). See docs/lake.md."
    })
public final class ConnectorConfigCommand implements Callable<Integer> {
  @ParentCommand LakeMain parent;

  @Override
  public Integer call() throws Exception {
    Map<String, String> config = ArchiveConnectorConfig.connector(parent.config());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", config.get("name"));
    body.put("config", config);
    System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(body));
    return 0;
  }
}
