"""Time series: RandomWalk, GaussianRandomWalk, MvGaussianRandomWalk, MvStudentTRandomWalk,
AR.

The length of a series is part of its event shape and comes from ``steps`` (the value has
``steps + 1`` points) or from ``shape=``/``dims=``/``observed=``; it is never inferred from the
parameters. Shapes: univariate series ``(*batch, T)``; multivariate ``(*batch, T, k)``.
Parameters broadcast with the batch dims (they are the same at every time step).
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions._helpers import _LOG_2PI, _floats, _from_precision
from credo.distributions.base import BoundDist, Continuous, positive
from credo.errors import ParameterError, ShapeError

__all__ = [
    "RandomWalk",
    "GaussianRandomWalk",
    "MvGaussianRandomWalk",
    "MvStudentTRandomWalk",
    "AR",
    "GARCH11",
    "EulerMaruyama",
]


def _steps(static: dict, label: str) -> int | None:
    steps = static.get("steps")
    if steps is None:
        return None
    if isinstance(steps, T.TensorVariable) or int(steps) != steps or steps < 0:
        raise ParameterError(f"{label}: 'steps' must be a non-negative Python int, got {steps!r}")
    return int(steps)


class RandomWalk(Continuous):
    """RandomWalk(init_dist, innovation_dist, steps=None): x_0 ~ init_dist and
    x_t - x_{t-1} ~ innovation_dist (univariate or multivariate, unnamed ``.dist()``)."""

    transform_doc = "none"
    support_doc = "real series"

    param_names = ()
    positional: ClassVar[tuple[str, ...] | None] = ("init_dist", "innovation_dist", "steps")
    dist_params = ("init_dist", "innovation_dist")
    static_params = ("steps",)
    support = C.unconstrained
    ndim_supp = 1

    def _post_init(self, label: str) -> None:
        for k in self.dist_params:
            if k not in self.subdists:
                raise ParameterError(f"{label}: missing the parameter '{k}'")
            if self.subdists[k][0]:
                raise ParameterError(f"{label}: '{k}' must be one distribution")
        init = self.subdists["init_dist"][1][0]
        innov = self.subdists["innovation_dist"][1][0]
        if init.ndim_supp != innov.ndim_supp:
            raise ParameterError(
                f"{label}: init_dist and innovation_dist must have the same event rank"
            )
        if innov.discrete:
            raise ParameterError(f"{label}: discrete innovations are not supported")
        self.ndim_supp = 1 + int(innov.ndim_supp)
        self._label = label
        _steps(self.static, label)

    def default_transform(self) -> None:
        return None

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple | None]:
        nd = int(self.ndim_supp) - 1
        both = [tuple(s) for s in sub_shapes["init_dist"] + sub_shapes["innovation_dist"]]
        full = np.broadcast_shapes(*both)
        batch, event_k = full[: len(full) - nd], full[len(full) - nd :]
        steps = self.static.get("steps")
        if steps is None:
            return tuple(batch), None if not hasattr(self, "event") else self.event
        return tuple(batch), (int(steps) + 1, *event_k)

    def check_event(self, event: tuple[int, ...], label: str) -> tuple[int, ...]:
        if event[0] < 1:
            raise ShapeError(f"{label}: a series needs at least one time point, got {event}")
        return event

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.ones((), bool)

    @staticmethod
    def _time_axis(value: Any, innov: BoundDist) -> int:
        return jnp.ndim(value) - 1 - innov.ndim_supp

    @classmethod
    def logp(cls, value: Any, init_dist: BoundDist, innovation_dist: BoundDist, **_: Any) -> Any:
        ta = cls._time_axis(value, innovation_dist)
        x0 = jnp.take(value, 0, axis=ta)
        lp0 = init_dist.logp(x0)
        diffs = jnp.moveaxis(jnp.diff(value, axis=ta), ta, 0)  # (T - 1, *batch, *event)
        lpi = jnp.sum(innovation_dist.logp(diffs), axis=0)
        return lp0 + lpi

    @classmethod
    def sample(
        cls,
        rng_key: Any,
        shape: tuple,
        init_dist: BoundDist,
        innovation_dist: BoundDist,
        **_: Any,
    ) -> Any:
        nd = innovation_dist.ndim_supp
        ta = len(shape) - 1 - nd
        batch, n_t, ev = shape[:ta], shape[ta], shape[ta + 1 :]
        k0, k1 = jax.random.split(rng_key)
        x0 = jnp.broadcast_to(init_dist.sample(k0, batch + ev), batch + ev)
        steps = innovation_dist.sample(k1, (n_t - 1, *batch, *ev))
        path = jnp.concatenate([x0[None], x0[None] + jnp.cumsum(steps, axis=0)], axis=0)
        return jnp.moveaxis(path, 0, ta)

    @classmethod
    def support_point(
        cls, shape: tuple, init_dist: BoundDist, innovation_dist: BoundDist, **_: Any
    ) -> Any:
        nd = innovation_dist.ndim_supp
        ta = len(shape) - 1 - nd
        batch, n_t, ev = shape[:ta], shape[ta], shape[ta + 1 :]
        x0 = jnp.broadcast_to(init_dist.support_point(batch + ev), batch + ev)
        step = jnp.broadcast_to(innovation_dist.support_point(batch + ev), batch + ev)
        t = jnp.arange(n_t, dtype=float).reshape((n_t,) + (1,) * (len(batch) + nd))
        return jnp.moveaxis(x0[None] + t * step[None], 0, ta)


def _default_init(init: Any, k: int | None = None) -> Any:
    from credo.distributions.multivariate import MvNormal
    from credo.distributions.normal import Normal

    if init is not None:
        return init
    if k is None:
        return Normal.dist(0.0, 100.0)
    return MvNormal.dist(np.zeros(k), chol=100.0 * np.eye(k))


class GaussianRandomWalk(RandomWalk):
    """GaussianRandomWalk(mu=0, sigma=1, init_dist=None, steps=None): Normal(mu, sigma)
    innovations; ``init_dist`` defaults to Normal.dist(0, 100) (as PyMC)."""

    positional = ("mu", "sigma", "init_dist", "steps")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma", "tau")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        from credo.distributions.normal import Normal

        kw = _floats(
            _from_precision(
                {k: given.pop(k) for k in ("mu", "sigma", "tau") if k in given}, cls.__name__
            )
        )
        for k, check in (("sigma", positive),):
            v = kw.get(k)
            if v is not None and not isinstance(v, T.TensorVariable) and not np.all(check(v)):
                raise ParameterError(f"{cls.__name__}: parameter 'sigma' must be positive")
        given["innovation_dist"] = Normal.dist(kw.get("mu", 0.0), kw.get("sigma", 1.0))
        given["init_dist"] = _default_init(given.get("init_dist"))
        return given


class MvGaussianRandomWalk(RandomWalk):
    """MvGaussianRandomWalk(mu, cov=None, tau=None, chol=None, lower=True, init_dist=None,
    steps=None): MvNormal innovations; values (..., T, k)."""

    positional = ("mu", "cov", "tau", "chol", "lower", "init_dist", "steps")
    alt_params = ("mu", "cov", "tau", "chol", "lower")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        from credo.distributions.multivariate import MvNormal

        kw = {k: given.pop(k) for k in cls.alt_params if k in given}
        innov = MvNormal.dist(**kw)
        given["innovation_dist"] = innov
        given["init_dist"] = _default_init(given.get("init_dist"), innov.shape[-1])
        return given


class MvStudentTRandomWalk(RandomWalk):
    """MvStudentTRandomWalk(nu, mu, scale=None, tau=None, chol=None, lower=True,
    init_dist=None, steps=None): MvStudentT innovations; values (..., T, k)."""

    positional = ("nu", "mu", "scale", "tau", "chol", "lower", "init_dist", "steps")
    alt_params = ("nu", "mu", "scale", "cov", "tau", "chol", "lower")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        from credo.distributions.multivariate import MvStudentT

        kw = {k: given.pop(k) for k in cls.alt_params if k in given}
        innov = MvStudentT.dist(**kw)
        given["innovation_dist"] = innov
        given["init_dist"] = _default_init(given.get("init_dist"), innov.shape[-1])
        return given


class AR(Continuous):
    """AR(rho, sigma=1, constant=False, ar_order=None, init_dist=None, steps=None):
    x_t = c + sum_i rho_i x_{t-1-i} + eps_t, eps_t ~ Normal(0, sigma); ``tau=``/``sd=``.

    ``rho`` (..., p), or (..., p + 1) with ``constant=True`` (then ``rho[..., 0]`` is c). The
    first p values ~ ``init_dist`` (default Normal.dist(0, 100), elementwise).
    """

    transform_doc = "none"
    support_doc = "real series"

    param_names = ("rho", "sigma")
    positional = ("rho", "sigma", "init_dist", "steps", "constant", "ar_order")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"sigma": 1.0}
    param_ndims = {"rho": 1}
    param_checks = {"sigma": (positive, "positive")}
    dist_params = ("init_dist",)
    static_params = ("steps", "constant", "ar_order")
    support = C.unconstrained
    ndim_supp = 1

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given = _floats(_from_precision(given, cls.__name__))
        given["init_dist"] = _default_init(given.get("init_dist"))
        rho = T.as_tensor(given.get("rho"))
        p = int(rho.shape[-1]) if len(rho.shape) else 1
        if not len(rho.shape):
            given["rho"] = (
                T.apply(lambda r: r[None], rho) if isinstance(rho, T.TensorVariable) else rho[None]
            )
        constant = bool(static.get("constant", False))
        order = p - int(constant)
        if static.get("ar_order") is not None and int(static["ar_order"]) != order:
            raise ParameterError(
                f"AR: ar_order={static['ar_order']} but rho has {p} entries"
                + (" (one of them the constant)" if constant else "")
            )
        if order < 1:
            raise ParameterError("AR: rho needs at least one coefficient")
        static["constant"] = constant
        static["ar_order"] = order
        return given

    def _post_init(self, label: str) -> None:
        init = self.subdists["init_dist"][1][0]
        if init.ndim_supp != 0:
            raise ParameterError(f"{label}: init_dist must be univariate")
        _steps(self.static, label)

    def default_transform(self) -> None:
        return None

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple | None]:
        init = tuple(sub_shapes["init_dist"][0])
        init_batch = init[:-1] if init and init[-1] == self.static["ar_order"] else init
        batch = np.broadcast_shapes(shapes["rho"][:-1], shapes["sigma"], init_batch)
        steps = self.static.get("steps")
        if steps is None:
            return tuple(batch), None if not hasattr(self, "event") else self.event
        return tuple(batch), (int(steps) + self.static["ar_order"],)

    def check_event(self, event: tuple[int, ...], label: str) -> tuple[int, ...]:
        if event[0] < self.static["ar_order"]:
            raise ShapeError(f"{label}: the series is shorter than ar_order")
        return event

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @staticmethod
    def _split(rho: Any, constant: bool) -> tuple[Any, Any]:
        if constant:
            return rho[..., 0], rho[..., 1:]
        return jnp.zeros(jnp.shape(rho)[:-1]), rho

    @classmethod
    def logp(
        cls,
        value: Any,
        rho: Any,
        sigma: Any,
        init_dist: BoundDist,
        constant: bool,
        ar_order: int,
        steps: Any = None,
    ) -> Any:
        p = ar_order
        c, coef = cls._split(rho, constant)
        n_t = value.shape[-1]
        lp0 = jnp.sum(init_dist.logp(value[..., :p]), axis=-1)
        # lags[..., t, i] = x_{t - 1 - i} for t = p .. T-1.
        lags = jnp.stack([value[..., p - 1 - i : n_t - 1 - i] for i in range(p)], axis=-1)
        mean = c[..., None] + jnp.sum(coef[..., None, :] * lags, axis=-1)
        z = (value[..., p:] - mean) / sigma[..., None]
        lpi = jnp.sum(-0.5 * z**2 - jnp.log(sigma)[..., None] - 0.5 * _LOG_2PI, axis=-1)
        return lp0 + lpi

    @classmethod
    def sample(
        cls,
        rng_key: Any,
        shape: tuple,
        rho: Any,
        sigma: Any,
        init_dist: BoundDist,
        constant: bool,
        ar_order: int,
        steps: Any = None,
    ) -> Any:
        p = ar_order
        batch, n_t = tuple(shape[:-1]), shape[-1]
        c, coef = cls._split(rho, constant)
        c = jnp.broadcast_to(c, batch)
        coef = jnp.broadcast_to(coef, batch + (p,))
        sigma = jnp.broadcast_to(sigma, batch)
        k0, k1 = jax.random.split(rng_key)
        init = jnp.broadcast_to(init_dist.sample(k0, batch + (p,)), batch + (p,))
        eps = jax.random.normal(k1, (n_t - p,) + batch)

        def step(carry: Any, e: Any) -> tuple[Any, Any]:
            # carry[..., i] = x_{t - 1 - i}
            x = c + jnp.sum(coef * carry, axis=-1) + sigma * e
            return jnp.concatenate([x[..., None], carry[..., :-1]], axis=-1), x

        _, rest = jax.lax.scan(step, jnp.flip(init, axis=-1), eps)
        return jnp.concatenate([init, jnp.moveaxis(rest, 0, -1)], axis=-1)

    @classmethod
    def support_point(cls, shape: tuple, rho: Any, sigma: Any, **_: Any) -> Any:
        return jnp.zeros(shape)


def _nonneg(x: Any) -> Any:
    return x >= 0


class GARCH11(Continuous):
    """GARCH11(omega, alpha_1, beta_1, initial_vol): r_t ~ Normal(0, s_t) with
    s_t^2 = omega + alpha_1 r_{t-1}^2 + beta_1 s_{t-1}^2 and s_0 = initial_vol."""

    param_names = ("omega", "alpha_1", "beta_1", "initial_vol")
    static_params = ("steps",)
    param_checks = {
        "omega": (positive, "positive"),
        "alpha_1": (_nonneg, "non-negative"),
        "beta_1": (_nonneg, "non-negative"),
        "initial_vol": (positive, "positive"),
    }
    support = C.unconstrained
    support_doc = "real series"
    transform_doc = "none"
    ndim_supp = 1

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple | None]:
        batch = np.broadcast_shapes(*shapes.values())
        steps = self.static.get("steps")
        return tuple(batch), None if steps is None else (int(steps) + 1,)

    def default_transform(self) -> None:
        return None

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @staticmethod
    def _vols(value: Any, omega: Any, alpha_1: Any, beta_1: Any, initial_vol: Any) -> Any:
        """s_t (..., T) given the returns."""
        batch = jnp.broadcast_shapes(value.shape[:-1], jnp.shape(omega), jnp.shape(initial_vol))
        r = jnp.moveaxis(jnp.broadcast_to(value, batch + value.shape[-1:]), -1, 0)

        def step(s2: Any, r_prev: Any) -> tuple[Any, Any]:
            s2 = omega + alpha_1 * r_prev**2 + beta_1 * s2
            return s2, s2

        s0 = jnp.broadcast_to(initial_vol**2, batch)
        _, rest = jax.lax.scan(step, s0, r[:-1])
        return jnp.moveaxis(jnp.sqrt(jnp.concatenate([s0[None], rest], axis=0)), 0, -1)

    @classmethod
    def logp(
        cls, value: Any, omega: Any, alpha_1: Any, beta_1: Any, initial_vol: Any, steps: Any = None
    ) -> Any:
        s = cls._vols(value, omega, alpha_1, beta_1, initial_vol)
        z = value / s
        return jnp.sum(-0.5 * z**2 - jnp.log(s) - 0.5 * _LOG_2PI, axis=-1)

    @classmethod
    def sample(
        cls,
        rng_key: Any,
        shape: tuple,
        omega: Any,
        alpha_1: Any,
        beta_1: Any,
        initial_vol: Any,
        steps: Any = None,
    ) -> Any:
        batch, n_t = tuple(shape[:-1]), shape[-1]
        eps = jax.random.normal(rng_key, (n_t,) + batch)

        def step(carry: Any, e: Any) -> tuple[Any, Any]:
            s2, r_prev, first = carry
            s2 = jnp.where(first, s2, omega + alpha_1 * r_prev**2 + beta_1 * s2)
            r = jnp.sqrt(s2) * e
            return (s2, r, False), r

        s0 = jnp.broadcast_to(jnp.asarray(initial_vol, float) ** 2, batch)
        _, r = jax.lax.scan(step, (s0, jnp.zeros(batch), True), eps)
        return jnp.moveaxis(r, 0, -1)

    @classmethod
    def support_point(cls, shape: tuple, **_: Any) -> Any:
        return jnp.zeros(shape)


class EulerMaruyama(Continuous):
    """EulerMaruyama(dt, sde_fn, sde_pars, init_dist=None, steps=None): the Euler-Maruyama
    discretisation of dX = f dt + g dW, with ``(f, g) = sde_fn(x, *sde_pars)``:
    x_t ~ Normal(x_{t-1} + f dt, g sqrt(dt)); x_0 ~ init_dist (default Normal.dist(0, 100)).
    ``sde_pars``: a list of scalars or variables."""

    param_names = ("sde_pars",)
    positional = ("dt", "sde_fn", "sde_pars", "init_dist", "steps")
    dist_params = ("init_dist",)
    static_params = ("dt", "sde_fn", "steps")
    support = C.unconstrained
    support_doc = "real series"
    transform_doc = "none"
    ndim_supp = 1

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        if not callable(static.get("sde_fn")):
            raise ParameterError("EulerMaruyama: 'sde_fn' must be a function (x, *pars) -> (f, g)")
        dt = static.get("dt")
        if isinstance(dt, T.TensorVariable) or dt is None or not float(dt) > 0:
            raise ParameterError(f"EulerMaruyama: 'dt' must be a positive number, got {dt!r}")
        static["dt"] = float(dt)
        pars = given.get("sde_pars", ())
        pars = list(pars) if isinstance(pars, list | tuple) else [pars]
        given["sde_pars"] = T.as_tensor(pars) if pars else np.zeros(0)
        given["init_dist"] = _default_init(given.get("init_dist"))
        return given

    def _post_init(self, label: str) -> None:
        _steps(self.static, label)

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple | None]:
        batch = tuple(sub_shapes["init_dist"][0])
        steps = self.static.get("steps")
        return batch, None if steps is None else (int(steps) + 1,)

    def default_transform(self) -> None:
        return None

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @staticmethod
    def _drift(sde_fn: Any, x: Any, pars: Any) -> tuple[Any, Any]:
        f, g = sde_fn(x, *[pars[i] for i in range(jnp.shape(pars)[0])])
        return jnp.asarray(f), jnp.asarray(g)

    @classmethod
    def logp(
        cls,
        value: Any,
        sde_pars: Any,
        init_dist: BoundDist,
        dt: float,
        sde_fn: Any,
        steps: Any = None,
    ) -> Any:
        prev, nxt = value[..., :-1], value[..., 1:]
        f, g = cls._drift(sde_fn, prev, sde_pars)
        mean = prev + f * dt
        sd = g * np.sqrt(dt)
        z = (nxt - mean) / sd
        lp = jnp.sum(-0.5 * z**2 - jnp.log(sd) - 0.5 * _LOG_2PI, axis=-1)
        return init_dist.logp(value[..., 0]) + lp

    @classmethod
    def sample(
        cls,
        rng_key: Any,
        shape: tuple,
        sde_pars: Any,
        init_dist: BoundDist,
        dt: float,
        sde_fn: Any,
        steps: Any = None,
    ) -> Any:
        batch, n_t = tuple(shape[:-1]), shape[-1]
        k0, k1 = jax.random.split(rng_key)
        x0 = jnp.broadcast_to(init_dist.sample(k0, batch), batch)
        eps = jax.random.normal(k1, (n_t - 1,) + batch)

        def step(x: Any, e: Any) -> tuple[Any, Any]:
            f, g = cls._drift(sde_fn, x, sde_pars)
            x = x + f * dt + g * np.sqrt(dt) * e
            return x, x

        _, rest = jax.lax.scan(step, x0, eps)
        return jnp.concatenate([x0[..., None], jnp.moveaxis(rest, 0, -1)], axis=-1)

    @classmethod
    def support_point(cls, shape: tuple, sde_pars: Any, init_dist: BoundDist, **_: Any) -> Any:
        x0 = jnp.broadcast_to(init_dist.support_point(shape[:-1]), shape[:-1])
        return jnp.broadcast_to(x0[..., None], shape)
