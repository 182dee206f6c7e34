package dev.lethe.core.unlearn;

/**
 * @param steps      steps taken (0 when the model already met the stop rule)
 * @param stopReason why it stopped: the stop rule's name, or "budget"
 * @param seconds    wall time of the method itself, observers excluded
 * @param last       the last check the method made (on the reference set, not a reported one)
 */
public record UnlearningResult(String method, int steps, String stopReason, double seconds,
                               UnlearningCheck last) {
}
