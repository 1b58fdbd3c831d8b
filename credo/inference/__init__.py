"""Inference: pure kernels, metrics and warm-up adaptations, and the multi-chain runner.

Nothing here knows about models: kernels see a log-density function and a flat position.
The three protocols are described in :mod:`credo.inference.protocols`.
"""

from credo.inference import adaptation, fisher, integrators, metrics, nuts, protocols
from credo.inference.adaptation import StanWindowed
from credo.inference.fisher import FisherAdaptation
from credo.inference.metrics import DenseMetric, DiagonalMetric, LowRankMetric
from credo.inference.nuts import NUTS, HMCState, NUTSInfo, NUTSParams
from credo.inference.runner import ADAPTATIONS, RunResult, run_chains

__all__ = [
    "ADAPTATIONS",
    "NUTS",
    "DenseMetric",
    "DiagonalMetric",
    "FisherAdaptation",
    "HMCState",
    "LowRankMetric",
    "NUTSInfo",
    "NUTSParams",
    "RunResult",
    "StanWindowed",
    "adaptation",
    "fisher",
    "integrators",
    "metrics",
    "nuts",
    "protocols",
    "run_chains",
]
