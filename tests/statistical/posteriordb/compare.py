"""Compare credo's draws with a posteriordb reference summary, with Monte Carlo tolerances.

For every reference scalar p, with credo's draws x_p (chain, draw):

- mean: z = (mean(x) - mean_ref) / sqrt(MCSE_mean(x)^2 + sd_ref^2 / ess_ref), the error of
  both runs (credo's MCSE from ArviZ's autocorrelation-aware estimate, the reference's from
  its bulk ESS); pass when |z| < 4 (the README's suggested bound, with credo's MCSE in place
  of sd_ref^2 / ESS_ours, which it approximates).
- sd: z_sd = (sd(x) - sd_ref) / sqrt(MCSE_sd(x)^2 + se_ref^2), where se_ref is the standard
  error of the reference's sd, sd_ref sqrt((kurtosis - 1) / (4 ess_ref)) (the large-sample
  variance of a sample sd; the kurtosis is estimated from credo's draws). Pass when
  |z_sd| < 4. ``band`` reports the matching relative band 4 sqrt(...) / sd_ref: about 5-8%
  for 4,000 well-mixed draws, wider where credo's ESS is low (the README suggests fixed
  bands of 10%, 20% for hard posteriors).

With 4-sigma bounds and ~170 scalars, a whole run has about a 1% chance of one false failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import arviz as az
import numpy as np
import xarray as xr

__all__ = ["ParamCheck", "Comparison", "compare", "Z_BOUND"]

Z_BOUND = 4.0


@dataclass(frozen=True)
class ParamCheck:
    name: str
    mean: float
    ref_mean: float
    z: float  # (mean - ref_mean) / combined Monte Carlo error
    sd: float
    ref_sd: float
    sd_rel: float  # sd / ref_sd - 1
    sd_band: float  # 4-sigma relative band for sd_rel
    z_sd: float
    ess_bulk: float
    rhat: float


@dataclass(frozen=True)
class Comparison:
    params: list[ParamCheck]
    missing: list[str]  # reference scalars credo's posterior lacks

    @property
    def worst_mean(self) -> ParamCheck:
        return max(self.params, key=lambda p: abs(p.z))

    @property
    def worst_sd(self) -> ParamCheck:
        return max(self.params, key=lambda p: abs(p.z_sd))

    @property
    def mean_ok(self) -> bool:
        return all(np.isfinite(p.z) and abs(p.z) < Z_BOUND for p in self.params)

    @property
    def sd_ok(self) -> bool:
        return all(np.isfinite(p.z_sd) and abs(p.z_sd) < Z_BOUND for p in self.params)

    @property
    def passed(self) -> bool:
        return not self.missing and bool(self.params) and self.mean_ok and self.sd_ok

    @property
    def max_rhat(self) -> float:
        return max(p.rhat for p in self.params)

    @property
    def min_ess(self) -> float:
        return min(p.ess_bulk for p in self.params)

    def describe_failures(self) -> str:
        """One line per failing parameter (for assertion messages)."""
        lines = [f"missing from credo's posterior: {m}" for m in self.missing]
        for p in self.params:
            if not abs(p.z) < Z_BOUND:
                lines.append(
                    f"{p.name}: mean {p.mean:.6g} vs reference {p.ref_mean:.6g} (z = {p.z:.2f})"
                )
            if not abs(p.z_sd) < Z_BOUND:
                lines.append(
                    f"{p.name}: sd {p.sd:.6g} vs reference {p.ref_sd:.6g} "
                    f"({p.sd_rel:+.1%}, band +/-{p.sd_band:.1%}, z = {p.z_sd:.2f})"
                )
        return "\n".join(lines)


def _kurtosis(x: np.ndarray) -> float:
    c = x - x.mean()
    return float(np.mean(c**4) / np.mean(c**2) ** 2)


def compare(draws: dict[str, np.ndarray], reference: dict[str, Any]) -> Comparison:
    """``draws``: Stan-style name -> (chain, draw) array; ``reference``: the JSON's reference."""
    names = [k for k in reference if k != "n_draws"]
    missing = [n for n in names if n not in draws]
    present = [n for n in names if n in draws]
    if not present:
        return Comparison([], missing)
    ds = xr.Dataset({n: (("chain", "draw"), np.asarray(draws[n], float)) for n in present})
    mcse_mean = az.mcse(ds, method="mean")
    mcse_sd = az.mcse(ds, method="sd")
    ess = az.ess(ds, method="bulk")
    rhat = az.rhat(ds) if ds.sizes["chain"] > 1 else None
    out = []
    for n in present:
        ref = reference[n]
        x = np.asarray(draws[n], float).ravel()
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        ref_mean, ref_sd, ref_ess = float(ref["mean"]), float(ref["sd"]), float(ref["ess_bulk"])
        z = (mean - ref_mean) / np.sqrt(float(mcse_mean[n]) ** 2 + ref_sd**2 / ref_ess)
        se_ref_sd = ref_sd * np.sqrt(max(_kurtosis(x) - 1.0, 0.0) / (4.0 * ref_ess))
        se_sd = np.sqrt(float(mcse_sd[n]) ** 2 + se_ref_sd**2)
        out.append(
            ParamCheck(
                name=n,
                mean=mean,
                ref_mean=ref_mean,
                z=float(z),
                sd=sd,
                ref_sd=ref_sd,
                sd_rel=sd / ref_sd - 1.0,
                sd_band=Z_BOUND * se_sd / ref_sd,
                z_sd=float((sd - ref_sd) / se_sd),
                ess_bulk=float(ess[n]),
                rhat=float(rhat[n]) if rhat is not None else float("nan"),
            )
        )
    return Comparison(out, missing)
