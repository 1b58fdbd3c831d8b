"""The drivers users call: ``sample`` and the predictive samplers (``mcmc``), the step
methods (``step_methods``), ``find_MAP`` (``optimize``), ``fit`` and Pathfinder
(``variational``), ``sample_smc`` (``smc``), with their progress bars (``progress``),
diagnostics from arviz-stats (``diagnostics``) and the helpers they share (``draws``).

They know the compiled model and the kernels of ``credo.inference``; nothing below them
(the model layer, the compiler, the kernels) imports them.
"""

from credo.sampling.mcmc import (
    compute_log_likelihood,
    init_nuts,
    sample,
    sample_posterior_predictive,
    sample_prior_predictive,
)
from credo.sampling.optimize import find_MAP
from credo.sampling.smc import sample_smc

__all__ = [
    "compute_log_likelihood",
    "find_MAP",
    "init_nuts",
    "sample",
    "sample_posterior_predictive",
    "sample_prior_predictive",
    "sample_smc",
]
