"""Gaussian processes, ``pm.gp``: covariance and mean functions (``pm.gp.cov``,
``pm.gp.mean``) and the GP implementations with PyMC's names and arguments."""

from credo.gp import cov, mean, util

# PyMC's module path for approx_hsgp_hyperparams: pm.gp.hsgp_approx.approx_hsgp_hyperparams
from credo.gp import hsgp as hsgp_approx  # noqa: E402,I001
from credo.gp.gp import TP, Latent, Marginal
from credo.gp.hsgp import HSGP, HSGPPeriodic
from credo.gp.kron import LatentKron, MarginalKron
from credo.gp.sparse import MarginalApprox, MarginalSparse

__all__ = [
    "cov",
    "mean",
    "util",
    "hsgp_approx",
    "Latent",
    "Marginal",
    "TP",
    "MarginalApprox",
    "MarginalSparse",
    "LatentKron",
    "MarginalKron",
    "HSGP",
    "HSGPPeriodic",
]
