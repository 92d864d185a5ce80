package io.tidemark.orchestration.stack;

import java.util.Map;

/**
 * What {@link AirflowStack#status()} observed.
 *
 * @param url the API server's base URL
 * @param pids pid of each local process that is alive (api-server, scheduler, dag-processor)
 * @param healthy whether all three processes run and the API reports scheduler and DAG processor healthy
 * @param detail one line: versions and health, or why it is not healthy
 */
public record AirflowStatus(String url, Map<String, Long> pids, boolean healthy, String detail) {}
