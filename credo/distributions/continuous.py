"""Continuous univariate distributions. Log-densities match ``scipy.stats``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.distributions.base import Continuous, positive

__all__ = ["Normal", "HalfNormal", "Exponential", "Beta"]

_LOG_2PI = float(np.log(2 * np.pi))


def _sigma_from_tau(given: dict[str, Any], label: str = "sigma") -> dict[str, Any]:
    """PyMC's precision parametrisation: ``tau`` -> ``sigma = tau ** -0.5``."""
    if "tau" in given:
        from credo.errors import ParameterError

        tau = given.pop("tau")
        if label in given:
            raise ParameterError(f"give either '{label}' (or 'sd') or 'tau', not both")
        if not hasattr(tau, "shape") or not hasattr(tau, "distribution"):
            tau_arr = np.asarray(tau, dtype=float)
            if np.any(tau_arr <= 0):
                raise ParameterError(f"parameter 'tau' must be positive, got {tau_arr}")
            given[label] = tau_arr**-0.5
        else:
            given[label] = tau**-0.5
    return given


class Normal(Continuous):
    """Normal(mu, sigma); ``sd=`` and ``tau=`` (precision) accepted."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _sigma_from_tau(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        z = (value - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        return mu + sigma * jax.random.normal(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return jnp.broadcast_to(mu, shape).astype(float)


class HalfNormal(Continuous):
    """HalfNormal(sigma) on x >= 0; ``sd=`` and ``tau=`` accepted."""

    param_names = ("sigma",)
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _sigma_from_tau(given)

    @classmethod
    def logp(cls, value: Any, sigma: Any) -> Any:
        z = value / sigma
        return 0.5 * np.log(2 / np.pi) - jnp.log(sigma) - 0.5 * z**2

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, sigma: Any) -> Any:
        return sigma * jnp.abs(jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, sigma: Any) -> Any:
        return jnp.broadcast_to(sigma * np.sqrt(2 / np.pi), shape).astype(float)


class Exponential(Continuous):
    """Exponential(lam) with rate ``lam``; ``scale=`` accepted (lam = 1/scale)."""

    param_names = ("lam",)
    alt_params = ("scale",)
    param_checks = {"lam": (positive, "positive")}
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        if "scale" in given:
            scale = given.pop("scale")
            if "lam" in given:
                from credo.errors import ParameterError

                raise ParameterError("Exponential: give either 'lam' or 'scale', not both")
            given["lam"] = 1.0 / scale if hasattr(scale, "distribution") else 1.0 / np.asarray(
                scale, dtype=float
            )
        return given

    @classmethod
    def logp(cls, value: Any, lam: Any) -> Any:
        return jnp.log(lam) - lam * value

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lam: Any) -> Any:
        return jax.random.exponential(rng_key, shape) / lam

    @classmethod
    def support_point(cls, shape: tuple, lam: Any) -> Any:
        return jnp.broadcast_to(1.0 / lam, shape).astype(float)


class Beta(Continuous):
    """Beta(alpha, beta); or ``mu``/``sigma`` (mean and sd), as PyMC."""

    param_names = ("alpha", "beta")
    alt_params = ("mu", "sigma", "sd", "nu")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = "unit"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        if "sd" in given:
            given["sigma"] = given.pop("sd")
        if "mu" in given and "sigma" in given:
            mu, sigma = given.pop("mu"), given.pop("sigma")
            kappa = mu * (1 - mu) / sigma**2 - 1
            given["alpha"], given["beta"] = mu * kappa, (1 - mu) * kappa
        elif "mu" in given and "nu" in given:
            mu, nu = given.pop("mu"), given.pop("nu")
            given["alpha"], given["beta"] = mu * nu, (1 - mu) * nu
        return given

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        lbeta = jax.scipy.special.gammaln(alpha) + jax.scipy.special.gammaln(beta)
        lbeta = lbeta - jax.scipy.special.gammaln(alpha + beta)
        return (
            jax.scipy.special.xlogy(alpha - 1, value)
            + jax.scipy.special.xlog1py(beta - 1, -value)
            - lbeta
        )

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        return jax.random.beta(rng_key, alpha, beta, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return jnp.broadcast_to(alpha / (alpha + beta), shape).astype(float)
