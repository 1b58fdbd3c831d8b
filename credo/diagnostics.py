"""Convergence diagnostics used for sample()'s warnings: rank-normalised split R-hat and
bulk effective sample size (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021).

ArviZ computes the same quantities (``az.rhat``, ``az.ess``; tests check agreement). They
are written here in NumPy because importing ArviZ's statistics stack costs about a second,
more than sampling a small model; summaries and plots still come from ArviZ.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rhat", "ess_bulk"]


def _split_chains(x: np.ndarray) -> np.ndarray:
    """(chain, draw) -> (2 * chain, draw // 2): each chain's halves as separate chains."""
    n = x.shape[1] // 2
    if n < 2:
        return x
    return np.concatenate([x[:, :n], x[:, -n:]], axis=0)


def _rank_normalise(x: np.ndarray) -> np.ndarray:
    """Normal scores of the pooled ranks (average ranks for ties), Blom's offsets."""
    flat = x.ravel()
    order = flat.argsort(kind="mergesort")
    ranks = np.empty(flat.size, dtype=float)
    ranks[order] = np.arange(1, flat.size + 1)
    # Average the ranks of tied values.
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    if np.any(counts > 1):
        sums = np.bincount(inverse, weights=ranks)
        ranks = sums[inverse] / counts[inverse]
    return _ndtri((ranks - 0.375) / (flat.size + 0.25)).reshape(x.shape)


def _ndtri(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF by Acklam's rational approximation (relative error
    below 1.2e-9: ample for diagnostics), in NumPy to avoid importing SciPy here."""
    a = [
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    ]
    b = [
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    ]
    c = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    ]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00]
    p = np.asarray(p, dtype=float)
    x = np.empty_like(p)
    lo, hi = p < 0.02425, p > 1 - 0.02425
    mid = ~(lo | hi)
    q = p[mid] - 0.5
    r = q * q
    x[mid] = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
    )
    for mask, sign, pp in ((lo, 1.0, p[lo]), (hi, -1.0, 1 - p[hi])):
        q = np.sqrt(-2 * np.log(pp))
        x[mask] = (
            sign
            * (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        )
    return x


def _rhat_basic(x: np.ndarray) -> float:
    m, n = x.shape
    if m < 2 or n < 2:
        return np.nan
    chain_means = x.mean(axis=1)
    within = x.var(axis=1, ddof=1).mean()
    between_over_n = chain_means.var(ddof=1)
    if within == 0:
        return np.nan
    var_plus = (n - 1) / n * within + between_over_n
    return float(np.sqrt(var_plus / within))


def rhat(x: np.ndarray) -> float:
    """Rank-normalised split R-hat of one scalar quantity, ``x`` of shape (chain, draw)."""
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        return np.nan
    split = _split_chains(x)
    bulk = _rhat_basic(_rank_normalise(split))
    folded = np.abs(split - np.median(split))
    tail = _rhat_basic(_rank_normalise(folded))
    return float(np.nanmax([bulk, tail])) if not (np.isnan(bulk) and np.isnan(tail)) else np.nan


def _ess(x: np.ndarray) -> float:
    """ESS of (chain, draw) draws by Geyer's initial monotone positive sequence."""
    m, n = x.shape
    if n < 4:
        return np.nan
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spec * np.conj(spec), n=size, axis=1)[:, :n] / n
    chain_var = acov[:, 0] * n / (n - 1)
    mean_var = chain_var.mean()
    var_plus = mean_var * (n - 1) / n
    if m > 1:
        var_plus += x.mean(axis=1).var(ddof=1)
    if var_plus <= 0:
        return np.nan
    rho_all = 1 - (mean_var - acov.mean(axis=0)) / var_plus
    # Geyer's initial positive sequence over pairs (rho_2k + rho_2k+1), as Stan computes it;
    # the even term at the truncation point is kept when positive; then made monotone.
    rho = np.zeros(n)
    rho[0], rho[1] = 1.0, rho_all[1]
    even, odd, t = 1.0, rho_all[1], 1
    while t < n - 3 and even + odd > 0:
        even, odd = rho_all[t + 1], rho_all[t + 2]
        if even + odd >= 0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if even > 0:
        rho[max_t + 1] = even
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2
        t += 2
    tau = -1 + 2 * rho[: max_t + 1].sum() + rho[max_t + 1 : max_t + 2].sum()
    tau = max(tau, 1 / np.log10(m * n))
    return float(m * n / tau)


def ess_bulk(x: np.ndarray) -> float:
    """Bulk ESS of one scalar quantity, ``x`` of shape (chain, draw)."""
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)) or np.ptp(x) == 0:
        return np.nan
    return _ess(_rank_normalise(_split_chains(x)))
