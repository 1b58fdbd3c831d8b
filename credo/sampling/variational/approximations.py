"""Gaussian approximations on the unconstrained space, and the draws they give.

``MeanField``: independent normals, ``theta = mu + softplus(rho) * eps`` (``rho`` keeps
each sd positive without a constraint). ``FullRank``: ``theta = mu + L eps`` with ``L``
lower triangular (its packed entries, row-major, are the parameters). ``Empirical``: a
set of unconstrained draws (Pathfinder's result). Each maps draws through the model's
transforms to the constrained values users see.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.compile import CompiledModel

__all__ = ["Approximation", "MeanField", "FullRank", "Empirical"]


class _Evaluable(np.ndarray):
    """A numpy array with PyMC's ``.eval()`` (``approx.mean.eval()``)."""

    def eval(self) -> np.ndarray:
        return np.asarray(self)


def _evaluable(x: Any) -> _Evaluable:
    return np.asarray(x, dtype=float).view(_Evaluable)


class Approximation:
    """A fitted approximation of the posterior. ``params`` are numpy arrays; ``hist`` is
    the loss (the negative ELBO estimate) of every iteration."""

    family = "approximation"

    def __init__(self, cm: CompiledModel, params: dict[str, Any]) -> None:
        self.cm = cm
        self.model = cm.model
        self.params = {k: np.asarray(v) for k, v in params.items()}
        self.hist = np.zeros(0)
        self.ndim = cm.dim
        self.fit_seconds = 0.0  # set by fit
        # Pathfinder's diagnostics of the fit (None for the other families).
        self.pareto_k: float | None = None
        self.ess: float | None = None
        self.elbo: np.ndarray | None = None

    # The pure pieces the optimiser differentiates -------------------------------------
    @staticmethod
    def init_params(theta0: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def transform(params: dict[str, Any], eps: Any) -> Any:
        """A standard normal ``eps`` (dim,) -> a draw of the approximation (dim,)."""
        raise NotImplementedError

    @staticmethod
    def entropy(params: dict[str, Any]) -> Any:
        raise NotImplementedError

    # What users read ------------------------------------------------------------------
    @property
    def mean(self) -> _Evaluable:
        """The mean on the unconstrained space, flat (``cm.free`` gives each slice)."""
        return _evaluable(self.params["mu"])

    @property
    def std(self) -> _Evaluable:
        """The standard deviations on the unconstrained space, flat."""
        return _evaluable(np.sqrt(np.diag(self.cov)))

    @property
    def cov(self) -> _Evaluable:
        raise NotImplementedError

    def _by_name(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        return {f.name: flat[f.offset : f.offset + f.size].reshape(f.ushape) for f in self.cm.free}

    @property
    def mean_dict(self) -> dict[str, np.ndarray]:
        """The unconstrained mean of each free variable."""
        return self._by_name(np.asarray(self.mean))

    @property
    def std_dict(self) -> dict[str, np.ndarray]:
        return self._by_name(np.asarray(self.std))

    def _draw_unconstrained(self, key: Any, draws: int) -> np.ndarray:
        eps = jax.random.normal(key, (draws, self.cm.dim))
        cache_key = ("approximation_draws", self.family)
        fn = self.cm._cache.get(cache_key)
        if fn is None:
            fn = jax.jit(jax.vmap(type(self).transform, in_axes=(None, 0)))
            self.cm._cache[cache_key] = fn
        return np.asarray(fn(self.params, eps))

    def sample(
        self,
        draws: int = 500,
        *,
        random_seed: Any = None,
        return_inferencedata: bool = True,
        **_: Any,
    ) -> Any:
        """Draws of the free variables and Deterministics: InferenceData with
        ``posterior`` of dims ``(chain=1, draw, ...)`` (or a dict of arrays
        ``(draws, ...)`` with ``return_inferencedata=False``)."""
        from credo.sampling.draws import _rng_key

        if not isinstance(draws, int | np.integer) or draws < 1:
            raise ValueError(f"sample: draws must be a positive int, got {draws!r}")
        key, _seed = _rng_key(random_seed)
        theta = self._draw_unconstrained(key, int(draws))
        return _to_idata(self, theta[None], return_inferencedata)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} approximation of {self.cm.dim} unconstrained values>"


def _to_idata(approx: Approximation, theta: np.ndarray, as_idata: bool) -> Any:
    """(chain, draw, dim) unconstrained draws -> InferenceData (or a dict)."""
    from credo.io.idata import to_inference_data
    from credo.sampling.draws import _constrained_draws, _observed_and_constant

    posterior = _constrained_draws(approx.cm, theta)
    if not as_idata:
        return {k: v[0] for k, v in posterior.items()}
    observed, constant = _observed_and_constant(approx.model)
    groups = {"posterior": posterior, "observed_data": observed, "constant_data": constant}
    from credo._version import __version__

    attrs = {"credo_version": __version__, "inference_library": "credo"}
    attrs["approximation"] = type(approx).__name__
    return to_inference_data(approx.model, groups, attrs=attrs)


class MeanField(Approximation):
    """Independent normals on the unconstrained space (ADVI)."""

    family = "meanfield"

    @staticmethod
    def init_params(theta0: np.ndarray) -> dict[str, Any]:
        # rho = 0: sd = softplus(0) = log 2, a broad start on the unconstrained scale.
        return {"mu": jnp.asarray(theta0), "rho": jnp.zeros_like(jnp.asarray(theta0))}

    @staticmethod
    def transform(params: dict[str, Any], eps: Any) -> Any:
        return params["mu"] + jax.nn.softplus(params["rho"]) * eps

    @staticmethod
    def entropy(params: dict[str, Any]) -> Any:
        d = params["mu"].shape[0]
        sd = jax.nn.softplus(params["rho"])
        return jnp.sum(jnp.log(sd)) + 0.5 * d * (1.0 + jnp.log(2 * jnp.pi))

    @property
    def std(self) -> _Evaluable:
        return _evaluable(np.log1p(np.exp(self.params["rho"])))

    @property
    def cov(self) -> _Evaluable:
        return _evaluable(np.diag(np.asarray(self.std) ** 2))


class FullRank(Approximation):
    """A multivariate normal on the unconstrained space (full-rank ADVI)."""

    family = "fullrank"

    @staticmethod
    def init_params(theta0: np.ndarray) -> dict[str, Any]:
        d = len(theta0)
        rows, cols = np.tril_indices(d)
        return {"mu": jnp.asarray(theta0), "L_tril": jnp.asarray((rows == cols).astype(float))}

    @staticmethod
    def _chol(params: dict[str, Any]) -> Any:
        d = params["mu"].shape[0]
        rows, cols = np.tril_indices(d)
        return jnp.zeros((d, d)).at[rows, cols].set(params["L_tril"])

    @staticmethod
    def transform(params: dict[str, Any], eps: Any) -> Any:
        return params["mu"] + FullRank._chol(params) @ eps

    @staticmethod
    def entropy(params: dict[str, Any]) -> Any:
        d = params["mu"].shape[0]
        diag = jnp.diagonal(FullRank._chol(params))
        return jnp.sum(jnp.log(jnp.abs(diag))) + 0.5 * d * (1.0 + jnp.log(2 * jnp.pi))

    @property
    def L(self) -> _Evaluable:  # noqa: N802 (the usual name of a Cholesky factor)
        return _evaluable(
            np.asarray(FullRank._chol({k: jnp.asarray(v) for k, v in self.params.items()}))
        )

    @property
    def cov(self) -> _Evaluable:
        chol = np.asarray(self.L)
        return _evaluable(chol @ chol.T)


class Empirical(Approximation):
    """A set of unconstrained draws (``params["histogram"]``: (n, dim)); sampling picks
    among them with replacement."""

    family = "empirical"

    @property
    def mean(self) -> _Evaluable:
        return _evaluable(self.params["histogram"].mean(0))

    @property
    def cov(self) -> _Evaluable:
        return _evaluable(np.atleast_2d(np.cov(self.params["histogram"], rowvar=False)))

    @property
    def std(self) -> _Evaluable:
        return _evaluable(self.params["histogram"].std(0, ddof=1))

    def _draw_unconstrained(self, key: Any, draws: int) -> np.ndarray:
        hist = self.params["histogram"]
        idx = np.asarray(jax.random.randint(key, (draws,), 0, hist.shape[0]))
        return hist[idx]
