"""Inference: pure NUTS kernels, Stan-style warmup, and the multi-chain driver.

Nothing here knows about models: kernels see a log-density function and a flat position.
"""

from credo.inference import adaptation, integrators, metrics, nuts
from credo.inference.nuts import HMCState, NUTSInfo
from credo.inference.runner import RunResult, run_chains

__all__ = [
    "HMCState",
    "NUTSInfo",
    "RunResult",
    "adaptation",
    "integrators",
    "metrics",
    "nuts",
    "run_chains",
]
