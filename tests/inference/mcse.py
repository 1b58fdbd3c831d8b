"""Effective sample size and Monte Carlo standard errors for the statistical tests."""

import numpy as np


def ess(draws: np.ndarray) -> float:
    """Multi-chain ESS of ``draws`` ``(chain, draw)`` (Stan's estimator: autocorrelations
    from the combined within/between-chain variance, Geyer's initial monotone sequence)."""
    draws = np.asarray(draws, dtype=float)
    chains, n = draws.shape
    centred = draws - draws.mean(axis=1, keepdims=True)
    size = 2 ** int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :n] / n
    within = np.mean(acov[:, 0] * n / (n - 1.0))
    var_plus = within * (n - 1.0) / n
    if chains > 1:
        var_plus += np.var(draws.mean(axis=1), ddof=1)
    if var_plus <= 0:
        return float(chains * n)
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Sums of adjacent pairs, kept while positive and made monotone.
    pairs = rho[: n - n % 2].reshape(-1, 2).sum(axis=1)
    positive = np.flatnonzero(pairs <= 0)
    pairs = pairs[: positive[0]] if positive.size else pairs
    pairs = np.minimum.accumulate(pairs)
    tau = -1.0 + 2.0 * pairs.sum()
    return float(chains * n / max(tau, 1.0 / np.log10(chains * n)))


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
