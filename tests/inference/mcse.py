"""Monte Carlo standard errors for the statistical tests, from arviz-stats' ESS of the mean
(the function credo's diagnostics use)."""

import numpy as np

from credo.sampling.diagnostics import ess_mean


def ess(draws: np.ndarray) -> float:
    """Multi-chain ESS of the mean of ``draws`` ``(chain, draw)``."""
    return float(ess_mean(draws))


def check_moments(draws: np.ndarray, mean: np.ndarray, sd: np.ndarray, sd_band: float = 0.1):
    """``|mean - truth| < 4 MCSE`` and ``sd`` within ``sd_band`` (relative), per coordinate.

    draws: ``(chain, draw, dim)``; mean, sd: ``(dim,)``.
    """
    draws = np.asarray(draws)
    mean = np.broadcast_to(mean, draws.shape[-1:])
    sd = np.broadcast_to(sd, draws.shape[-1:])
    for i in range(draws.shape[-1]):
        x = draws[..., i]
        n_eff = ess(x)
        mcse = x.std() / np.sqrt(n_eff)
        assert abs(x.mean() - mean[i]) < 4 * mcse, (
            f"coordinate {i}: mean {x.mean():.4g}, truth {mean[i]:.4g}, "
            f"mcse {mcse:.3g}, ess {n_eff:.0f}"
        )
        assert abs(x.std() / sd[i] - 1.0) < sd_band, (
            f"coordinate {i}: sd {x.std():.4g}, truth {sd[i]:.4g}"
        )
