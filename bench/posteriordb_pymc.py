"""The 24 posteriordb posteriors in PyMC, mirroring credo's versions one for one.

Each builder takes posteriordb's ``data`` dict and returns a ``pm.Model`` with the same
parameters, priors, transforms' dimensions and names as the credo model of the same posterior
in ``tests/statistical/posteriordb/models.py`` (so gradient counts are comparable): flat
priors stay ``Flat``/``HalfFlat``, Deterministics keep their names, recursions are written
with ``pytensor.scan``. Runs in ``.venv-anchors`` only; ``BUILDERS`` maps a posterior's name
to its builder.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.distributions.transforms import Transform, ordered

__all__ = ["BUILDERS", "build", "PositiveOrdered"]


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _sd(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1))


def _design(*columns: Any) -> np.ndarray:
    cols = [_arr(c) for c in columns]
    return np.column_stack([np.ones_like(cols[0]), *cols])


def _flat_regression(X: np.ndarray, y: np.ndarray, sigma_prior: str = "flat") -> pm.Model:
    with pm.Model() as model:
        beta = pm.Flat("beta", shape=X.shape[1])
        if sigma_prior == "flat":
            sigma = pm.HalfFlat("sigma")
        else:
            sigma = pm.HalfCauchy("sigma", 2.5)
        pm.Normal("y", pt.dot(X, beta), sigma, observed=y)
    return model


# -- kidiq ------------------------------------------------------------------------------------
def kidscore_momiq(d: dict[str, Any]) -> pm.Model:
    return _flat_regression(_design(d["mom_iq"]), _arr(d["kid_score"]), "halfcauchy")


def kidscore_interaction(d: dict[str, Any]) -> pm.Model:
    hs, iq = _arr(d["mom_hs"]), _arr(d["mom_iq"])
    return _flat_regression(_design(hs, iq, hs * iq), _arr(d["kid_score"]), "halfcauchy")


def kidscore_mom_work(d: dict[str, Any]) -> pm.Model:
    work = np.asarray(d["mom_work"])
    return _flat_regression(_design(work == 2, work == 3, work == 4), _arr(d["kid_score"]))


def kidscore_interaction_z(d: dict[str, Any]) -> pm.Model:
    hs, iq = _arr(d["mom_hs"]), _arr(d["mom_iq"])
    z_hs = (hs - hs.mean()) / (2 * _sd(hs))
    z_iq = (iq - iq.mean()) / (2 * _sd(iq))
    return _flat_regression(_design(z_hs, z_iq, z_hs * z_iq), _arr(d["kid_score"]))


# -- kilpisjarvi ------------------------------------------------------------------------------
def kilpisjarvi(d: dict[str, Any]) -> pm.Model:
    x, y = _arr(d["x"]), _arr(d["y"])
    with pm.Model() as model:
        alpha = pm.Normal("alpha", d["pmualpha"], d["psalpha"])
        beta = pm.Normal("beta", d["pmubeta"], d["psbeta"])
        sigma = pm.HalfFlat("sigma")
        pm.Normal("y", alpha + beta * x, sigma, observed=y)
    return model


# -- earnings ---------------------------------------------------------------------------------
def earn_height(d: dict[str, Any]) -> pm.Model:
    return _flat_regression(_design(d["height"]), _arr(d["earn"]))


def logearn_interaction_z(d: dict[str, Any]) -> pm.Model:
    height, male = _arr(d["height"]), _arr(d["male"])
    z = (height - height.mean()) / _sd(height)
    return _flat_regression(_design(z, male, z * male), np.log(_arr(d["earn"])))


def logearn_logheight_male(d: dict[str, Any]) -> pm.Model:
    X = _design(np.log(_arr(d["height"])), d["male"])
    return _flat_regression(X, np.log(_arr(d["earn"])))


# -- mesquite ---------------------------------------------------------------------------------
def mesquite(d: dict[str, Any]) -> pm.Model:
    names = ("diam1", "diam2", "canopy_height", "total_height", "density", "group")
    return _flat_regression(_design(*(d[n] for n in names)), _arr(d["weight"]))


def logmesquite(d: dict[str, Any]) -> pm.Model:
    logs = [np.log(_arr(d[n])) for n in ("diam1", "diam2", "canopy_height", "total_height")]
    X = _design(*logs, np.log(_arr(d["density"])), d["group"])
    return _flat_regression(X, np.log(_arr(d["weight"])))


def logmesquite_logvas(d: dict[str, Any]) -> pm.Model:
    d1, d2, ch = _arr(d["diam1"]), _arr(d["diam2"]), _arr(d["canopy_height"])
    X = _design(
        np.log(d1 * d2 * ch),
        np.log(d1 * d2),
        np.log(d1 / d2),
        np.log(_arr(d["total_height"])),
        np.log(_arr(d["density"])),
        d["group"],
    )
    return _flat_regression(X, np.log(_arr(d["weight"])))


# -- nes --------------------------------------------------------------------------------------
def nes(d: dict[str, Any]) -> pm.Model:
    age = np.asarray(d["age_discrete"])
    X = _design(
        d["real_ideo"],
        d["race_adj"],
        age == 2,
        age == 3,
        age == 4,
        d["educ1"],
        d["gender"],
        d["income"],
    )
    return _flat_regression(X, _arr(d["partyid7"]))


# -- sblrc ------------------------------------------------------------------------------------
def blr(d: dict[str, Any]) -> pm.Model:
    X, y = _arr(d["X"]), _arr(d["y"])
    with pm.Model() as model:
        beta = pm.Normal("beta", 0, 10, shape=X.shape[1])
        sigma = pm.HalfNormal("sigma", 10)
        pm.Normal("y", pt.dot(X, beta), sigma, observed=y)
    return model


# -- diamonds ---------------------------------------------------------------------------------
def diamonds(d: dict[str, Any]) -> pm.Model:
    X, Y = _arr(d["X"]), _arr(d["Y"])
    Xc = X[:, 1:] - X[:, 1:].mean(axis=0)
    with pm.Model() as model:
        b = pm.Normal("b", 0, 1, shape=Xc.shape[1])
        intercept = pm.StudentT("Intercept", nu=3, mu=8, sigma=10)
        sigma = pm.HalfStudentT("sigma", nu=3, sigma=10)
        pm.Normal("Y", intercept + pt.dot(Xc, b), sigma, observed=Y)
    return model


# -- eight schools ----------------------------------------------------------------------------
def eight_schools_centered(d: dict[str, Any]) -> pm.Model:
    y, s = _arr(d["y"]), _arr(d["sigma"])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfCauchy("tau", 5)
        theta = pm.Normal("theta", mu, tau, shape=len(y))
        pm.Normal("y", theta, s, observed=y)
    return model


def eight_schools_noncentered(d: dict[str, Any]) -> pm.Model:
    y, s = _arr(d["y"]), _arr(d["sigma"])
    with pm.Model() as model:
        theta_trans = pm.Normal("theta_trans", 0, 1, shape=len(y))
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfCauchy("tau", 5)
        theta = pm.Deterministic("theta", mu + tau * theta_trans)
        pm.Normal("y", theta, s, observed=y)
    return model


# -- Gaussian processes -----------------------------------------------------------------------
def _se_kernel(x: np.ndarray, rho: Any, alpha: Any) -> Any:
    sq = (x[:, None] - x[None, :]) ** 2
    return alpha**2 * pt.exp(-sq / (2 * rho**2))


def gp_pois_regr(d: dict[str, Any]) -> pm.Model:
    x, k = _arr(d["x"]), np.asarray(d["k"], dtype=np.int64)
    n = len(x)
    with pm.Model() as model:
        rho = pm.Gamma("rho", alpha=25, beta=4)
        alpha = pm.HalfNormal("alpha", 2)
        f_tilde = pm.Normal("f_tilde", 0, 1, shape=n)
        K = _se_kernel(x, rho, alpha) + 1e-10 * np.eye(n)
        f = pm.Deterministic("f", pt.dot(pt.linalg.cholesky(K), f_tilde))
        pm.Poisson("k", pt.exp(f), observed=k)
    return model


def gp_regr(d: dict[str, Any]) -> pm.Model:
    x, y = _arr(d["x"]), _arr(d["y"])
    n = len(x)
    with pm.Model() as model:
        rho = pm.Gamma("rho", alpha=25, beta=4)
        alpha = pm.HalfNormal("alpha", 2)
        sigma = pm.HalfNormal("sigma", 1)
        # sigma on the diagonal as it is (a noise variance), as in credo's version.
        cov = _se_kernel(x, rho, alpha) + sigma * np.eye(n)
        pm.MvNormal("y", mu=np.zeros(n), cov=cov, observed=y)
    return model


# -- time series ------------------------------------------------------------------------------
def arK(d: dict[str, Any]) -> pm.Model:  # noqa: N802 (posteriordb's name)
    K, y = int(d["K"]), _arr(d["y"])
    T = len(y)
    lags = np.column_stack([y[K - k : T - k] for k in range(1, K + 1)])
    with pm.Model() as model:
        alpha = pm.Normal("alpha", 0, 10)
        beta = pm.Normal("beta", 0, 10, shape=K)
        sigma = pm.HalfCauchy("sigma", 2.5)
        pm.Normal("y", alpha + pt.dot(lags, beta), sigma, observed=y[K:])
    return model


def arma11(d: dict[str, Any]) -> pm.Model:
    y = _arr(d["y"])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 10)
        phi = pm.Normal("phi", 0, 2)
        theta = pm.Normal("theta", 0, 2)
        sigma = pm.HalfCauchy("sigma", 2.5)
        # nu[1] = mu + phi mu; nu[t] = mu + phi y[t-1] + theta err[t-1], err = y - nu.
        nu1 = mu + phi * mu

        def step(y_prev, y_now, err_prev, mu, phi, theta):
            nu = mu + phi * y_prev + theta * err_prev
            return y_now - nu, nu

        (_, nus) = pytensor.scan(
            step,
            sequences=[pt.as_tensor(y[:-1]), pt.as_tensor(y[1:])],
            outputs_info=[y[0] - nu1, None],
            non_sequences=[mu, phi, theta],
            return_updates=False,
        )
        nu = pt.concatenate([pt.atleast_1d(nu1), nus])
        pm.Normal("y", nu, sigma, observed=y)
    return model


def garch11(d: dict[str, Any]) -> pm.Model:
    y, sigma1 = _arr(d["y"]), float(d["sigma1"])
    with pm.Model() as model:
        mu = pm.Flat("mu")
        alpha0 = pm.HalfFlat("alpha0")
        alpha1 = pm.Uniform("alpha1", 0, 1)
        beta1 = pm.Uniform("beta1", 0, 1 - alpha1)
        # Uniform(0, 1 - alpha1) has density 1 / (1 - alpha1): add log(1 - alpha1) back for
        # the flat density on the triangle, as credo's version does.
        pm.Potential("triangle_flat", pt.log1p(-alpha1))

        def step(y_prev, s_prev, mu, alpha0, alpha1, beta1):
            return pt.sqrt(alpha0 + alpha1 * (y_prev - mu) ** 2 + beta1 * s_prev**2)

        s1 = pt.as_tensor(np.float64(sigma1))
        rest = pytensor.scan(
            step,
            sequences=[pt.as_tensor(y[:-1])],
            outputs_info=[s1],
            non_sequences=[mu, alpha0, alpha1, beta1],
            return_updates=False,
        )
        s = pt.concatenate([pt.atleast_1d(s1), rest])
        pm.Normal("y", mu, s, observed=y)
    return model


# -- mixture and hidden Markov model ----------------------------------------------------------
def _norm_logpdf(x: Any, mu: Any, sigma: Any) -> Any:
    return -0.5 * ((x - mu) / sigma) ** 2 - pt.log(sigma) - 0.5 * np.log(2 * np.pi)


def low_dim_gauss_mix(d: dict[str, Any]) -> pm.Model:
    y = _arr(d["y"])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 2, shape=2, transform=ordered, initval=np.array([-1.0, 1.0]))
        sigma = pm.HalfNormal("sigma", 2, shape=2)
        theta = pm.Beta("theta", 5, 5)
        comp = pt.stack(
            [
                pt.log(theta) + _norm_logpdf(y, mu[0], sigma[0]),
                pt.log1p(-theta) + _norm_logpdf(y, mu[1], sigma[1]),
            ]
        )
        pm.Potential("mixture_loglik", pt.sum(pt.logsumexp(comp, axis=0)))
    return model


class PositiveOrdered(Transform):
    """Stan's ``positive_ordered``, as in credo's version: x = cumsum(exp(y))."""

    name = "positive_ordered"
    ndim_supp = 1

    def forward(self, value, *inputs):
        return pt.log(pt.concatenate([value[..., :1], pt.diff(value, axis=-1)], axis=-1))

    def backward(self, value, *inputs):
        return pt.cumsum(pt.exp(value), axis=-1)

    def log_jac_det(self, value, *inputs):
        return pt.sum(value, axis=-1)


def hmm_example(d: dict[str, Any]) -> pm.Model:
    y = _arr(d["y"])
    with pm.Model() as model:
        theta1 = pm.Dirichlet("theta1", a=np.ones(2))
        theta2 = pm.Dirichlet("theta2", a=np.ones(2))
        mu = pm.Normal(
            "mu",
            mu=np.array([3.0, 10.0]),
            sigma=1,
            shape=2,
            transform=PositiveOrdered(),
            initval=np.array([3.0, 10.0]),
        )
        log_gamma = pt.log(pt.stack([theta1, theta2]))  # [from, to]
        log_emit = _norm_logpdf(y[:, None], mu[None, :], 1.0)  # (N, K)

        def step(emit, log_alpha, log_gamma):
            return pt.logsumexp(log_alpha[:, None] + log_gamma, axis=0) + emit

        alphas = pytensor.scan(
            step,
            sequences=[log_emit[1:]],
            outputs_info=[log_emit[0]],
            non_sequences=[log_gamma],
            return_updates=False,
        )
        pm.Potential("hmm_loglik", pt.logsumexp(alphas[-1]))
    return model


# -- ODE --------------------------------------------------------------------------------------
RK4_SUBSTEPS = 10  # per unit of time, as in credo's version


def lotka_volterra(d: dict[str, Any]) -> pm.Model:
    ts = _arr(d["ts"])
    y_init, y = _arr(d["y_init"]), _arr(d["y"])
    if not np.array_equal(ts, np.arange(1, len(ts) + 1)):
        raise ValueError("lotka_volterra: expected ts = 1, 2, ..., N")
    n_units = len(ts)
    h = 1.0 / RK4_SUBSTEPS
    with pm.Model() as model:
        theta = pm.TruncatedNormal(
            "theta",
            mu=np.array([1.0, 0.05, 1.0, 0.05]),
            sigma=np.array([0.5, 0.05, 0.5, 0.05]),
            lower=0.0,
        )
        z_init = pm.LogNormal("z_init", np.log(10.0), 1, shape=2)
        sigma = pm.LogNormal("sigma", -1, 1, shape=2)

        def rhs(u, v, th):
            return (th[0] - th[1] * v) * u, (-th[2] + th[3] * u) * v

        def step(u, v, th):
            k1u, k1v = rhs(u, v, th)
            k2u, k2v = rhs(u + 0.5 * h * k1u, v + 0.5 * h * k1v, th)
            k3u, k3v = rhs(u + 0.5 * h * k2u, v + 0.5 * h * k2v, th)
            k4u, k4v = rhs(u + h * k3u, v + h * k3v, th)
            return (
                u + (h / 6.0) * (k1u + 2 * k2u + 2 * k3u + k4u),
                v + (h / 6.0) * (k1v + 2 * k2v + 2 * k3v + k4v),
            )

        us, vs = pytensor.scan(
            step,
            outputs_info=[z_init[0], z_init[1]],
            non_sequences=[theta],
            n_steps=n_units * RK4_SUBSTEPS,
            return_updates=False,
        )
        # The state after every whole unit of time: steps 10, 20, ..., 10 N.
        idx = slice(RK4_SUBSTEPS - 1, None, RK4_SUBSTEPS)
        z = pt.stack([us[idx], vs[idx]], axis=1)
        pm.LogNormal("y_init", pt.log(z_init), sigma, observed=y_init)
        pm.LogNormal("y", pt.log(z), sigma, observed=y)
    return model


BUILDERS = {
    "kidiq-kidscore_momiq": kidscore_momiq,
    "kidiq-kidscore_interaction": kidscore_interaction,
    "kidiq_with_mom_work-kidscore_mom_work": kidscore_mom_work,
    "kidiq_with_mom_work-kidscore_interaction_z": kidscore_interaction_z,
    "kilpisjarvi_mod-kilpisjarvi": kilpisjarvi,
    "earnings-earn_height": earn_height,
    "earnings-logearn_interaction_z": logearn_interaction_z,
    "earnings-logearn_logheight_male": logearn_logheight_male,
    "mesquite-mesquite": mesquite,
    "mesquite-logmesquite": logmesquite,
    "mesquite-logmesquite_logvas": logmesquite_logvas,
    "nes2000-nes": nes,
    "sblrc-blr": blr,
    "diamonds-diamonds": diamonds,
    "eight_schools-eight_schools_centered": eight_schools_centered,
    "eight_schools-eight_schools_noncentered": eight_schools_noncentered,
    "gp_pois_regr-gp_pois_regr": gp_pois_regr,
    "gp_pois_regr-gp_regr": gp_regr,
    "arK-arK": arK,
    "arma-arma11": arma11,
    "garch-garch11": garch11,
    "low_dim_gauss_mix-low_dim_gauss_mix": low_dim_gauss_mix,
    "hmm_example-hmm_example": hmm_example,
    "hudson_lynx_hare-lotka_volterra": lotka_volterra,
}


def build(name: str, data: dict[str, Any]) -> pm.Model:
    return BUILDERS[name](data)
