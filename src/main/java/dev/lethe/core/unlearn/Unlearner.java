package dev.lethe.core.unlearn;

import dev.lethe.core.model.Network;

/** A method that changes a trained network in place so that it forgets a set of samples. */
public interface Unlearner {

    /** Short, stable name used in reports and on the command line, e.g. {@code orthograd}. */
    String name();

    UnlearningResult unlearn(Network network, UnlearningTask task, StepObserver observer);

    /** Called after every step; time spent here is not counted as unlearning time. */
    @FunctionalInterface
    interface StepObserver {
        StepObserver NONE = (step, network) -> { };

        void afterStep(int step, Network network);
    }
}
