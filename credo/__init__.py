"""credo: probabilistic programming with PyMC's modelling API on JAX.

import credo as pm
with pm.Model():
    a = pm.Normal("a", mu=0, sigma=1)
    pm.Normal("y", a, 1, observed=[0.1, -0.3])
    idata = pm.sample()
"""

# Double precision by default (set credo.config / JAX_ENABLE_X64=0 before import to opt out).
import os as _os

import jax as _jax

if _os.environ.get("CREDO_FLOAT32", "0") != "1":
    _jax.config.update("jax_enable_x64", True)


def _enable_compilation_cache() -> None:
    """Keep compiled samplers on disk so a model run again in a new process skips XLA's
    compilation. CREDO_COMPILATION_CACHE=<dir> chooses the folder, =off disables it; a
    cache folder the user configured for JAX is left alone."""
    setting = _os.environ.get("CREDO_COMPILATION_CACHE", "")
    if setting.lower() in ("0", "off", "false", "no", "none"):
        return
    if _jax.config.jax_compilation_cache_dir:
        return
    base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
    folder = setting or _os.path.join(base, "credo", "jax")
    try:
        _os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    _jax.config.update("jax_compilation_cache_dir", folder)
    _jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    _jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


_enable_compilation_cache()


def _log_to_stderr() -> None:
    """As PyMC: credo's INFO messages (the step methods a run assigns) reach stderr unless
    the application configured logging itself."""
    import logging

    log = logging.getLogger("credo")
    if not logging.root.handlers and not log.handlers:
        log.setLevel(logging.INFO)
        log.addHandler(logging.StreamHandler())


_log_to_stderr()

# xarray holds every result (InferenceData is an xarray.DataTree): import it with credo, as
# PyMC does, rather than inside the first sample() call.
import xarray as _xarray  # noqa: E402,F401

from credo import gp, ode  # noqa: E402
from credo._version import __version__ as __version__  # noqa: E402
from credo.distributions import *  # noqa: E402,F403
from credo.distributions import __all__ as _dist_all  # noqa: E402
from credo.errors import (  # noqa: E402
    DataError,
    ModelError,
    ParameterError,
    SamplingError,
    ShapeError,
)
from credo.graphviz import model_to_graphviz  # noqa: E402
from credo.intervention import do, observe  # noqa: E402
from credo.io import load_trace, save_trace  # noqa: E402
from credo.marginal import MarginalizationError, marginalize, recover_marginals  # noqa: E402
from credo.missing import ImputationWarning  # noqa: E402
from credo.model import (  # noqa: E402
    ConstantData,
    Data,
    Deterministic,
    Model,
    MutableData,
    Potential,
    math,  # noqa: E402
    modelcontext,
    set_data,
)
from credo.model.math import expand_packed_triangular  # noqa: E402
from credo.model.tensor import TensorVariable  # noqa: E402
from credo.sampling import smc, step_methods, variational  # noqa: E402  (pm.smc, pm.variational, ...)
from credo.sampling.mcmc import (  # noqa: E402
    compute_log_likelihood,
    sample,
    sample_posterior_predictive,
    sample_prior_predictive,
)
from credo.sampling.optimize import find_MAP  # noqa: E402
from credo.sampling.smc import sample_smc  # noqa: E402
from credo.sampling.step_methods import (  # noqa: E402
    NUTS,
    BinaryGibbsMetropolis,
    BinaryMetropolis,
    CategoricalGibbsMetropolis,
    CompoundStep,
    DEMetropolis,
    DEMetropolisZ,
    HamiltonianMC,
    Metropolis,
    Slice,
)
from credo.sampling.variational import (  # noqa: E402
    ADVI,
    Approximation,
    Empirical,
    FullRankADVI,
    MeanField,
    Minibatch,
    adadelta,
    adagrad,
    adagrad_window,
    adam,
    adamax,
    callbacks,
    fit,
    momentum,
    nesterov_momentum,
    rmsprop,
    sgd,
)
from credo.sampling.variational import FullRank as FullRankApproximation  # noqa: E402
from credo.stats import (  # noqa: E402
    compare,
    ess,
    hdi,
    loo,
    plot_energy,
    plot_forest,
    plot_pair,
    plot_trace,
    rhat,
    summary,
    traceplot,
)

__all__ = [
    "Model",
    "Data",
    "MutableData",
    "ConstantData",
    "Deterministic",
    "Potential",
    "set_data",
    "modelcontext",
    "model_to_graphviz",
    "math",
    "gp",
    "ode",
    "expand_packed_triangular",
    "TensorVariable",
    "sample",
    "sample_prior_predictive",
    "sample_posterior_predictive",
    "compute_log_likelihood",
    "find_MAP",
    "do",
    "observe",
    "marginalize",
    "recover_marginals",
    "MarginalizationError",
    "sample_smc",
    "smc",
    "variational",
    "step_methods",
    "NUTS",
    "HamiltonianMC",
    "Metropolis",
    "BinaryMetropolis",
    "BinaryGibbsMetropolis",
    "CategoricalGibbsMetropolis",
    "Slice",
    "DEMetropolis",
    "DEMetropolisZ",
    "CompoundStep",
    "fit",
    "ADVI",
    "FullRankADVI",
    "Approximation",
    "MeanField",
    "FullRankApproximation",
    "Empirical",
    "Minibatch",
    "callbacks",
    "sgd",
    "momentum",
    "nesterov_momentum",
    "adagrad",
    "adagrad_window",
    "rmsprop",
    "adadelta",
    "adam",
    "adamax",
    "save_trace",
    "summary",
    "plot_trace",
    "traceplot",
    "plot_forest",
    "plot_pair",
    "plot_energy",
    "hdi",
    "loo",
    "compare",
    "ess",
    "rhat",
    "load_trace",
    "DataError",
    "ModelError",
    "ParameterError",
    "SamplingError",
    "ShapeError",
    "ImputationWarning",
    *_dist_all,
]
