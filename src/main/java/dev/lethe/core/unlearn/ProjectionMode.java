package dev.lethe.core.unlearn;

/** How OrthoGrad builds the subspace the forget gradient is projected away from. */
public enum ProjectionMode {
    /** One basis per parameter tensor (reduced QR per tensor), as in the paper's code. */
    PER_TENSOR,
    /** One basis over all parameters. */
    GLOBAL
}
