package dev.lethe.core.events;

import java.util.List;
import java.util.Objects;

/**
 * What an unlearning run changed, as a {@code completed} audit event and a version event state it:
 * the claim is about these tensors only — every other tensor of the model is bit-identical to the
 * parent version's.
 *
 * @param method           the unlearner, e.g. {@code orthograd}
 * @param parameterPattern the regex over parameter names that selected what may change
 *                         ({@code lethe.unlearning.parameters}), or {@code null} for every tensor
 * @param changedTensors   names of the tensors whose values differ from the parent's
 * @param tensors          how many parameter tensors the model has
 * @param path             how it ran: {@code built-in}, {@code embed-dense-head},
 *                         {@code embed-classify-loop} or {@code full-forward-loop}
 */
public record UnlearningRecord(String method, String parameterPattern, List<String> changedTensors, int tensors,
        String path) {

    public UnlearningRecord {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("method must be non-blank");
        }
        changedTensors = List.copyOf(Objects.requireNonNull(changedTensors, "changedTensors"));
        if (tensors < changedTensors.size()) {
            throw new IllegalArgumentException("more changed tensors than the model has");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be non-blank");
        }
    }
}
