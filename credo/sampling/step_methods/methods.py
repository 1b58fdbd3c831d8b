"""Step methods with PyMC's names and arguments.

A step method names the free variables it updates and its settings; ``pm.sample(step=...)``
takes one or a list (or a :class:`CompoundStep`), assigns every variable no step names by
PyMC's rules (continuous: NUTS; Bernoulli and two-category Categorical:
BinaryGibbsMetropolis; other Categorical: CategoricalGibbsMetropolis; other discrete:
Metropolis) and runs all blocks in turn inside one compiled loop per chain
(:mod:`credo.inference.compound`). The classes here only describe; the kernels are in
``credo.inference``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from credo.compile import CompiledModel, FreeVar
from credo.errors import ModelError, ParameterError
from credo.inference import hmc, metropolis
from credo.inference.slice import SliceKernel
from credo.model import tensor as T
from credo.model.context import current

__all__ = [
    "NUTS",
    "BinaryGibbsMetropolis",
    "BinaryMetropolis",
    "BlockedStep",
    "CategoricalGibbsMetropolis",
    "CauchyProposal",
    "CompoundStep",
    "DEMetropolis",
    "DEMetropolisZ",
    "HamiltonianMC",
    "LaplaceProposal",
    "Metropolis",
    "MultivariateNormalProposal",
    "NormalProposal",
    "Slice",
    "UniformProposal",
]


# -- proposals (PyMC's classes: built with S, the proposal's scale or covariance) ------------
class NormalProposal:
    kind = "normal"

    def __init__(self, s: Any) -> None:
        self.s = np.asarray(s, np.float64)


class UniformProposal(NormalProposal):
    kind = "uniform"


class CauchyProposal(NormalProposal):
    kind = "cauchy"


class LaplaceProposal(NormalProposal):
    kind = "laplace"


class MultivariateNormalProposal(NormalProposal):
    kind = "mvnormal"


_PROPOSALS = (
    NormalProposal,
    UniformProposal,
    CauchyProposal,
    LaplaceProposal,
    MultivariateNormalProposal,
)


# -- what a variable is -----------------------------------------------------------------------
def _is_discrete(rv: T.TensorVariable) -> bool:
    return bool(rv.distribution.discrete)


def _categories(rv: T.TensorVariable) -> int | None:
    """The number of categories of a Bernoulli (2) or Categorical variable, else None."""
    name = type(rv.distribution).__name__
    if name == "Bernoulli":
        return 2
    if name == "Categorical":
        p = rv.inputs[list(rv.distribution.params).index("p")]
        return int(np.shape(p)[-1]) if not T.is_node(p) else int(p.shape[-1])
    return None


def _label(rv: Any) -> str:
    return repr(rv) if not isinstance(rv, T.TensorVariable) else f"'{rv.name}'"


def _positive(owner: str, what: str, value: Any, integer: bool = False) -> None:
    ok = isinstance(value, int | np.integer) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not value > 0:
        kind = "a positive int" if integer else "a positive number"
        raise ParameterError(f"{owner}: {what} must be {kind}, got {value!r}")


# -- the step methods ---------------------------------------------------------------------------
class BlockedStep:
    """A step method over a block of free variables (``vars``: variables or their names;
    None: every variable the method can sample, resolved when sampling)."""

    accepts: ClassVar[str] = "any"  # "any", "continuous", "binary" or "categorical"

    def __init__(self, vars: Any = None, model: Any = None) -> None:
        if vars is not None and not isinstance(vars, list | tuple):
            vars = [vars]
        self._vars = None if vars is None else list(vars)
        self.model = model if model is not None else current(error_if_none=False)
        for v in self._vars or []:
            if isinstance(v, T.TensorVariable) and v.kind == T.RV and v.observed is None:
                self._check_kind(v)
            elif not isinstance(v, str | T.TensorVariable):
                raise ModelError(
                    f"{type(self).__name__}: {v!r} is not a model variable or a variable's name"
                )

    @property
    def vars(self) -> list[Any]:
        return list(self._vars or [])

    def _check_kind(self, rv: T.TensorVariable) -> None:
        cls = type(self).__name__
        if self.accepts == "continuous" and _is_discrete(rv):
            raise ParameterError(
                f"{cls} samples continuous variables only, but '{rv.name}' is discrete "
                f"({type(rv.distribution).__name__}); use Metropolis (or leave it to "
                "pm.sample's automatic assignment)"
            )
        if self.accepts == "binary" and _categories(rv) != 2:
            raise ParameterError(
                f"{cls} samples binary (Bernoulli) variables only, but '{rv.name}' is "
                f"{type(rv.distribution).__name__}"
            )
        if self.accepts == "categorical" and _categories(rv) is None:
            raise ParameterError(
                f"{cls} samples Categorical or Bernoulli variables only, but '{rv.name}' is "
                f"{type(rv.distribution).__name__}"
            )

    def _defaults(self, cm: CompiledModel) -> list[FreeVar]:
        if self.accepts == "continuous":
            return [f for f in cm.free if not _is_discrete(f.node)]
        return [f for f in cm.free if self.accepts == "any" or _categories(f.node) is not None]

    def resolve(self, cm: CompiledModel) -> list[FreeVar]:
        """The free variables of ``cm``'s model this step updates (model order kept as
        given)."""
        if self._vars is None:
            return self._defaults(cm)
        by_name = {f.name: f for f in cm.free}
        by_id = {id(f.node): f for f in cm.free}
        out = []
        cls = type(self).__name__
        for v in self._vars:
            if isinstance(v, str):
                f = by_name.get(v)
                if f is None:
                    raise ModelError(
                        f"{cls} was given '{v}', which is not a free variable of the model; "
                        f"those are {list(by_name)}"
                    )
            else:
                f = by_id.get(id(v))
                if f is None:
                    where = (
                        "is observed"
                        if getattr(v, "observed", None) is not None
                        else f"is a {v.kind} node"
                        if v.kind != T.RV
                        else "belongs to another model"
                    )
                    raise ModelError(
                        f"{cls} was given {_label(v)}, which {where}: not a free variable of "
                        f"the model being sampled (its free variables are {list(by_name)})"
                    )
            self._check_kind(f.node)
            out.append(f)
        return out

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        names = [v if isinstance(v, str) else v.name for v in self.vars]
        return f"{type(self).__name__}({names})"


class NUTS(BlockedStep):
    """The No-U-Turn Sampler on continuous variables (credo's NUTS, warmed up as ``init=``
    of :func:`credo.sample` says). ``target_accept`` / ``max_treedepth``: None takes
    ``sample``'s."""

    accepts = "continuous"

    def __init__(
        self,
        vars: Any = None,
        *,
        target_accept: float | None = None,
        max_treedepth: int | None = None,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        if target_accept is not None and not 0 < target_accept < 1:
            raise ParameterError(f"NUTS: target_accept must be in (0, 1), got {target_accept}")
        if max_treedepth is not None:
            _positive("NUTS", "max_treedepth", max_treedepth, integer=True)
        self.target_accept = target_accept
        self.max_treedepth = max_treedepth

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        from credo.inference.runner import default_adaptation

        dim = sum(f.size for f in fvars)
        name = settings["adaptation"]
        if name == "auto":
            name = default_adaptation(dim, np.float64)
        depth = self.max_treedepth or settings["max_treedepth"]
        return hmc.AdaptedBlock(
            "nuts",
            name,
            int(depth),
            target_accept=self.target_accept or settings["target_accept"],
        )


class HamiltonianMC(BlockedStep):
    """HMC with a fixed path length (PyMC's ``HamiltonianMC``): ``path_length / step_size``
    leapfrog steps (at most ``max_steps``), the step size jittered each transition and
    tuned to ``target_accept`` with Stan's windowed diagonal metric."""

    accepts = "continuous"

    def __init__(
        self,
        vars: Any = None,
        *,
        path_length: float = 2.0,
        max_steps: int = 1024,
        target_accept: float = 0.65,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        _positive("HamiltonianMC", "path_length", path_length)
        _positive("HamiltonianMC", "max_steps", max_steps, integer=True)
        if not 0 < target_accept < 1:
            raise ParameterError(
                f"HamiltonianMC: target_accept must be in (0, 1), got {target_accept}"
            )
        self.path_length = float(path_length)
        self.max_steps = int(max_steps)
        self.target_accept = float(target_accept)

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        return hmc.AdaptedBlock(
            "hmc",
            "stan_diag",
            1,
            self.path_length,
            self.max_steps,
            target_accept=self.target_accept,
        )


def _scales(owner: str, S: Any, size: int, proposal_dist: Any) -> tuple[str, tuple[float, ...]]:
    s = np.ones(size) if S is None else np.asarray(S, np.float64)
    kind = "mvnormal" if s.ndim == 2 else "normal"
    if proposal_dist is not None:
        if not (isinstance(proposal_dist, type) and issubclass(proposal_dist, NormalProposal)):
            raise ParameterError(
                f"{owner}: proposal_dist must be one of "
                f"{[p.__name__ for p in _PROPOSALS]}, got {proposal_dist!r}"
            )
        kind = proposal_dist.kind
    want = (size, size) if kind == "mvnormal" else (size,)
    if s.ndim == 0:
        s = np.full(want, float(s)) if kind != "mvnormal" else float(s) * np.eye(size)
    if s.shape != want:
        raise ParameterError(
            f"{owner}: S must have shape {want} for its {size} unconstrained entries "
            f"({kind} proposal), got {s.shape}"
        )
    if kind == "mvnormal":
        try:
            np.linalg.cholesky(s)
        except np.linalg.LinAlgError:
            raise ParameterError(f"{owner}: S is not a positive definite covariance") from None
    elif not np.all(s > 0):
        raise ParameterError(f"{owner}: S must be positive, got {s.tolist()}")
    return kind, tuple(float(v) for v in s.ravel())


class Metropolis(BlockedStep):
    """Random-walk Metropolis (PyMC's ``Metropolis``): ``S`` the proposal's scale (or
    covariance), ``proposal_dist`` one of the proposal classes (default normal),
    ``scaling`` its initial factor, tuned every ``tune_interval`` warm-up steps by PyMC's
    schedule when ``tune``. Proposals of discrete variables are rounded. A block of more than
    one scalar is updated one entry at a time, in a random order, as PyMC does (except
    for discrete multivariate variables). Statistics: ``accept`` (the mean acceptance
    probability ``min(1, exp(delta logp))``; PyMC reports ``exp(delta logp)`` unclipped),
    ``accepted`` (the share of entries moved) and ``scaling``."""

    def __init__(
        self,
        vars: Any = None,
        *,
        S: Any = None,
        proposal_dist: Any = None,
        scaling: float = 1.0,
        tune: bool = True,
        tune_interval: int = 100,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        _positive("Metropolis", "scaling", scaling)
        _positive("Metropolis", "tune_interval", tune_interval, integer=True)
        self.S, self.proposal_dist = S, proposal_dist
        self.scaling, self.tune, self.tune_interval = float(scaling), bool(tune), tune_interval

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        size = sum(f.size for f in fvars)
        kind, s = _scales("Metropolis", self.S, size, self.proposal_dist)
        discrete = tuple(d for f in fvars for d in [_is_discrete(f.node)] * f.size)
        scalar = len(fvars) == 1 and fvars[0].shape == ()
        multivariate_discrete = any(
            _is_discrete(f.node) and type(f.node.distribution).ndim_supp > 0 for f in fvars
        )
        return metropolis.RandomWalk(
            size,
            s,
            kind,
            self.scaling,
            self.tune,
            int(self.tune_interval),
            discrete,
            elemwise=not (scalar or multivariate_discrete) and kind != "mvnormal",
        )


class BinaryMetropolis(BlockedStep):
    """Metropolis for binary variables: each entry flipped with probability
    ``1 - 0.5**scaling``, the flips accepted together."""

    accepts = "binary"

    def __init__(
        self,
        vars: Any,
        *,
        scaling: float = 1.0,
        tune: bool = True,
        tune_interval: int = 100,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        _positive("BinaryMetropolis", "scaling", scaling)
        self.scaling, self.tune, self.tune_interval = float(scaling), tune, tune_interval

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        return metropolis.BinaryFlip(sum(f.size for f in fvars), self.scaling)


def _order(owner: str, order: Any, size: int) -> tuple[int, ...] | None:
    if isinstance(order, str) and order == "random":
        return None
    try:
        perm = [int(i) for i in order]
    except TypeError:
        perm = None
    if perm is None or sorted(perm) != list(range(size)):
        raise ParameterError(
            f"{owner}: order must be 'random' or a permutation of range({size}), got {order!r}"
        )
    return tuple(perm)


class BinaryGibbsMetropolis(BlockedStep):
    """Metropolis-within-Gibbs for binary variables: each entry in turn (``order``:
    ``"random"`` or a permutation) is flipped with probability ``transit_p`` and the flip
    accepted by Metropolis."""

    accepts = "binary"

    def __init__(
        self, vars: Any, *, order: Any = "random", transit_p: float = 0.8, model: Any = None
    ) -> None:
        super().__init__(vars, model)
        if not isinstance(transit_p, int | float) or not 0 < transit_p <= 1:
            raise ParameterError(
                f"BinaryGibbsMetropolis: transit_p must be in (0, 1], got {transit_p!r}"
            )
        self.order, self.transit_p = order, float(transit_p)

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        size = sum(f.size for f in fvars)
        order = _order("BinaryGibbsMetropolis", self.order, size)
        return metropolis.BinaryGibbs(size, order, self.transit_p)


class CategoricalGibbsMetropolis(BlockedStep):
    """Metropolis-within-Gibbs for Categorical (and Bernoulli) variables: each entry in
    turn gets a proposal among the other categories, ``"uniform"`` or ``"proportional"``
    (Liu's Metropolised Gibbs sampler)."""

    accepts = "categorical"

    def __init__(
        self, vars: Any, *, proposal: str = "uniform", order: Any = "random", model: Any = None
    ) -> None:
        super().__init__(vars, model)
        if proposal not in ("uniform", "proportional"):
            raise ParameterError(
                "CategoricalGibbsMetropolis: proposal must be 'uniform' or 'proportional', "
                f"got {proposal!r}"
            )
        self.proposal, self.order = proposal, order

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        cats = tuple(c for f in fvars for c in [_categories(f.node)] * f.size)
        order = _order("CategoricalGibbsMetropolis", self.order, len(cats))
        return metropolis.CategoricalGibbs(cats, self.proposal, order)  # type: ignore[arg-type]


class Slice(BlockedStep):
    """Univariate slice sampling of each entry in turn (Neal 2003): initial width ``w``
    (tuned during warm-up when ``tune``), at most ``max_steps`` widths stepped out."""

    accepts = "continuous"

    def __init__(
        self,
        vars: Any = None,
        *,
        w: float = 1.0,
        tune: bool = True,
        max_steps: int = 100,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        _positive("Slice", "w", w)
        _positive("Slice", "max_steps", max_steps, integer=True)
        self.w, self.tune, self.max_steps = float(w), bool(tune), int(max_steps)

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        return SliceKernel(sum(f.size for f in fvars), self.w, self.tune, self.max_steps)


class DEMetropolisZ(BlockedStep):
    """Differential-evolution Metropolis from the chain's own past (PyMC's
    ``DEMetropolisZ``): proposals ``x + lamb (z1 - z2) + noise * scaling``; ``tune``:
    ``"scaling"``, ``"lambda"`` or None; the first ``tune_drop_fraction`` of the past is
    dropped when warm-up ends."""

    accepts = "continuous"
    _drop_default: ClassVar[float] = 0.9

    def __init__(
        self,
        vars: Any = None,
        *,
        S: Any = None,
        proposal_dist: Any = None,
        lamb: float | None = None,
        scaling: float = 0.001,
        tune: str | None = "scaling",
        tune_interval: int = 100,
        tune_drop_fraction: float = 0.9,
        model: Any = None,
    ) -> None:
        super().__init__(vars, model)
        cls = type(self).__name__
        if tune not in (None, "scaling", "lambda"):
            raise ParameterError(f"{cls}: tune must be None, 'scaling' or 'lambda', got {tune!r}")
        _positive(cls, "scaling", scaling)
        _positive(cls, "tune_interval", tune_interval, integer=True)
        if lamb is not None:
            _positive(cls, "lamb", lamb)
        if not 0 <= tune_drop_fraction < 1:
            raise ParameterError(
                f"{cls}: tune_drop_fraction must be in [0, 1), got {tune_drop_fraction}"
            )
        self.S, self.proposal_dist, self.lamb = S, proposal_dist, lamb
        self.scaling, self.tune = float(scaling), tune
        self.tune_interval, self.tune_drop_fraction = int(tune_interval), tune_drop_fraction

    def _vector_scales(self, fvars: list[FreeVar]) -> tuple[int, str, tuple[float, ...]]:
        """The block's size, proposal kind and per-entry scales (no covariance)."""
        size = sum(f.size for f in fvars)
        kind, s = _scales(type(self).__name__, self.S, size, self.proposal_dist)
        if kind == "mvnormal":
            raise ParameterError(f"{type(self).__name__}: S must be a vector of scales")
        return size, kind, s

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        size, kind, s = self._vector_scales(fvars)
        return metropolis.DifferentialZ(
            size,
            s,
            kind,
            self.lamb,
            self.scaling,
            self.tune,
            self.tune_interval,
            float(self.tune_drop_fraction),
        )


class DEMetropolis(DEMetropolisZ):
    """Differential-evolution Metropolis across chains (PyMC's ``DEMetropolis``): each
    chain proposes ``x + lamb (x_r1 - x_r2) + noise * scaling`` from two other chains'
    current states (all chains then run in one vectorised program; half of them move
    at a time, from the other half). It needs at least 4 chains; with fewer, the
    differences come from the chain's own past, as :class:`DEMetropolisZ` draws them (a
    message says so)."""

    def __init__(
        self,
        vars: Any = None,
        *,
        S: Any = None,
        proposal_dist: Any = None,
        lamb: float | None = None,
        scaling: float = 0.001,
        tune: str | None = "scaling",
        tune_interval: int = 100,
        model: Any = None,
    ) -> None:
        super().__init__(
            vars,
            S=S,
            proposal_dist=proposal_dist,
            lamb=lamb,
            scaling=scaling,
            tune=tune,
            tune_interval=tune_interval,
            tune_drop_fraction=0.0,
            model=model,
        )

    def kernel(self, fvars: list[FreeVar], settings: dict[str, Any]) -> Any:
        chains = int(settings.get("chains", 1))
        if chains < 4:
            import logging

            logging.getLogger("credo").info(
                "DEMetropolis: %d chains are too few for differences of other chains "
                "(at least 4); the differences come from each chain's own past",
                chains,
            )
            return super().kernel(fvars, settings)
        size, kind, s = self._vector_scales(fvars)
        return metropolis.DifferentialPopulation(
            size, s, kind, self.lamb, self.scaling, self.tune, self.tune_interval
        )


class CompoundStep:
    """Several step methods applied in turn, each to its own variables."""

    def __init__(self, methods: Sequence[Any]) -> None:
        self.methods = list(_flatten(methods))

    @property
    def vars(self) -> list[Any]:
        return [v for m in self.methods for v in m.vars]

    def __repr__(self) -> str:
        return f"CompoundStep({self.methods})"


def _flatten(step: Any) -> list[BlockedStep]:
    if isinstance(step, CompoundStep):
        return list(step.methods)
    if isinstance(step, BlockedStep):
        return [step]
    if isinstance(step, list | tuple):
        return [m for s in step for m in _flatten(s)]
    if isinstance(step, type) and issubclass(step, BlockedStep):
        raise ParameterError(
            f"step: {step.__name__} is a class; give an instance, e.g. {step.__name__}()"
        )
    raise ParameterError(f"step must be a step method or a list of them, got {step!r}")
