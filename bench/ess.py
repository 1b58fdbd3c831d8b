"""Bulk effective sample size and R-hat, one implementation for every tool in the benchmark.

Rank-normalised split-chain bulk ESS and R-hat (Vehtari, Gelman, Simpson, Carpenter, Buerkner,
2021, "Rank-normalization, folding, and localization: an improved R-hat"), with Geyer's initial
monotone sequence for the autocorrelation sum, following the same steps as ArviZ's ``ess``
(``method="bulk"``) and ``rhat`` (``method="rank"``). Only numpy and scipy, so that the credo
venv and the anchors venv compute identical numbers from identical draws.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata


def _split_chains(x):
    """(chain, draw) -> (2*chain, draw//2): first and second halves as separate chains."""
    half = x.shape[1] // 2
    return np.vstack((x[:, :half], x[:, -half:]))


def _z_scale(x):
    """Rank-normalise all draws jointly to standard-normal scores."""
    ranks = rankdata(x, method="average", axis=None).reshape(x.shape)
    return ndtri((ranks - 0.375) / (x.size + 0.25))


def _autocov(x):
    """Biased autocovariance of each chain (rows), via FFT."""
    n = x.shape[1]
    m = 1 << (2 * n - 1).bit_length()
    x = x - x.mean(axis=1, keepdims=True)
    f = np.fft.rfft(x, n=m, axis=1)
    return np.fft.irfft(f * np.conjugate(f), n=m, axis=1)[:, :n] / n


def _valid(x):
    return np.all(np.isfinite(x)) and not np.all(x == x.flat[0])


def _ess(x):
    n_chain, n_draw = x.shape
    if n_draw < 4 or not _valid(x):
        return float("nan")
    acov = _autocov(x)
    chain_mean = x.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chain_mean, ddof=1)

    rho = np.zeros(n_draw)
    rho_even = 1.0
    rho[0] = rho_even
    rho_odd = 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus
    rho[1] = rho_odd

    # Geyer's initial positive sequence
    t = 1
    while t < n_draw - 3 and rho_even + rho_odd > 0.0:
        rho_even = 1.0 - (mean_var - np.mean(acov[:, t + 1])) / var_plus
        rho_odd = 1.0 - (mean_var - np.mean(acov[:, t + 2])) / var_plus
        if rho_even + rho_odd >= 0:
            rho[t + 1] = rho_even
            rho[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0:
        rho[max_t + 1] = rho_even

    # Geyer's initial monotone sequence
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0
            rho[t + 2] = rho[t + 1]
        t += 2

    n = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho[: max_t + 1]) + np.sum(rho[max_t + 1 : max_t + 2])
    tau = max(tau, 1.0 / np.log10(n))
    return float(n / tau)


def ess_bulk(x):
    """Bulk ESS of one scalar quantity; ``x`` has shape (chain, draw). NaN if constant."""
    x = np.asarray(x, dtype=float)
    if not _valid(x):
        return float("nan")
    return _ess(_z_scale(_split_chains(x)))


def _rhat(x):
    n = x.shape[1]
    between = n * np.var(x.mean(axis=1), ddof=1)
    within = np.mean(np.var(x, axis=1, ddof=1))
    return float(np.sqrt(((n - 1) / n * within + between / n) / within))


def rhat(x):
    """Rank-normalised split R-hat (max of bulk and folded); ``x`` is (chain, draw)."""
    x = np.asarray(x, dtype=float)
    if not _valid(x):
        return float("nan")
    split = _split_chains(x)
    bulk = _rhat(_z_scale(split))
    folded = _rhat(_z_scale(np.abs(split - np.median(split))))
    return max(bulk, folded)


def summarize(draws: dict) -> dict:
    """Per-variable min bulk ESS and max R-hat over the scalar elements of each array.

    ``draws`` maps a name to an array shaped (chain, draw, *event). Elements that are constant
    across every draw (e.g. a structural zero) are skipped.
    """
    out = {}
    for name, arr in draws.items():
        arr = np.asarray(arr, dtype=float)
        flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
        esses, rhats = [], []
        for i in range(flat.shape[2]):
            e = ess_bulk(flat[:, :, i])
            if np.isfinite(e):
                esses.append(e)
                rhats.append(rhat(flat[:, :, i]))
        out[name] = {
            "min_ess_bulk": min(esses) if esses else float("nan"),
            "max_rhat": max(rhats) if rhats else float("nan"),
        }
    return out
