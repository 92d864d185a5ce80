package io.tidemark.orchestration.client;

/**
 * One task instance of a run.
 *
 * @param taskId the task
 * @param mapIndex index of a mapped instance, -1 for an unmapped task
 * @param state Airflow's state ({@code success}, {@code running}, {@code failed}, ...), or {@code
 *     null} when not yet scheduled
 * @param tryNumber the current try, starting at 1 once it ran
 */
public record TaskInstance(String taskId, int mapIndex, String state, int tryNumber) {}
