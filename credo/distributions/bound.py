"""What a distribution-valued parameter looks like inside traced code (:class:`BoundDist`),
and the helpers that bind sub-distributions and transforms for the base class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.errors import ParameterError
from credo.model import UNSET

if TYPE_CHECKING:
    from credo.distributions.base import Distribution

__all__ = ["BoundDist", "UNSET"]


class BoundDist:
    """A distribution with the values of its parameters (inside traced code): what a
    class with ``dist_params`` receives for each of them."""

    def __init__(self, dist: Distribution, params: dict[str, Any]) -> None:
        self.dist = dist
        self.params = params

    @property
    def shape(self) -> tuple[int, ...]:
        return self.dist.runtime_shape(self.params)

    @property
    def ndim_supp(self) -> int:
        return int(self.dist.ndim_supp)

    @property
    def discrete(self) -> bool:
        return bool(self.dist.discrete)

    @property
    def support(self) -> C.Constraint:
        return type(self.dist).support

    def range(self) -> tuple[Any, Any]:
        """(lowest, highest) value of a univariate support."""
        return type(self.dist).support.range(self.dist._prepared(self.params))

    @property
    def has_logcdf(self) -> bool:
        return type(self.dist).has_logcdf()

    @property
    def has_icdf(self) -> bool:
        return type(self.dist).has_icdf()

    def logp(self, value: Any) -> Any:
        return self.dist.checked_logp(value, self.params)

    def logcdf(self, value: Any) -> Any:
        return self.dist.checked_logcdf(value, self.params)

    def icdf(self, q: Any) -> Any:
        return self.dist.checked_icdf(q, self.params)

    def sample(self, rng_key: Any, shape: tuple[int, ...] | None = None) -> Any:
        shp = self.shape if shape is None else tuple(shape)
        return self.dist.draw(rng_key, shp, self.params)

    def support_point(self, shape: tuple[int, ...] | None = None) -> Any:
        shp = self.shape if shape is None else tuple(shape)
        cls = type(self.dist)
        return cls.support_point(shp, **self.dist._bind(self.params), **self.dist.static)

    def in_support(self, value: Any) -> Any:
        cls = type(self.dist)
        return cls.support_check(value, **self.dist._prepared(self.params), **self.dist.static)


def _as_subdist(node: Any, label: str, pname: str) -> Distribution:
    """The distribution of an unregistered ``.dist()`` node given as a parameter."""
    if not (isinstance(node, T.TensorVariable) and node.kind == T.RV and node.distribution):
        raise ParameterError(
            f"{label}: '{pname}' must be an unnamed distribution such as "
            f"pm.Normal.dist(0, 1), got {type(node).__name__}"
        )
    if node.model is not None:
        raise ParameterError(
            f"{label}: '{pname}' must be unregistered: use "
            f"{type(node.distribution).__name__}.dist(...) rather than the named variable "
            f"'{node.name}'"
        )
    return node.distribution


def _final_transform(
    dist: Distribution, transform: Any, default_transform: Any, label: str = "transform"
) -> Any:
    """PyMC's rule: ``default_transform`` (None: none) then ``transform`` chained after it."""
    if default_transform is not UNSET and default_transform is not None:
        if not isinstance(default_transform, tr.Transform):
            raise ParameterError(
                f"{label}: default_transform= must be a transform or None, got "
                f"{type(default_transform).__name__}"
            )
    default = dist.default_transform() if default_transform is UNSET else default_transform
    if transform is UNSET or transform is None:
        return default
    if not isinstance(transform, tr.Transform):
        raise ParameterError(
            f"{label}: transform= must be a transform such as "
            f"pm.distributions.transforms.ordered, got {type(transform).__name__}"
        )
    if default is None:
        return transform
    return tr.Chain([default, transform])


class ComputeP:
    """Mixin of the ordered categorical distributions: ``compute_p=True`` (PyMC's default)
    also records the category probabilities as the Deterministic ``<name>_probs``."""

    def __new__(cls, name: str, *args: Any, compute_p: bool = True, **kwargs: Any) -> Any:
        # The next class in the MRO is the distribution this mixin is combined with.
        new: Any = super().__new__
        rv = new(cls, name, *args, **kwargs)
        if compute_p:
            from credo.model import Deterministic

            dist = rv.distribution
            names = list(dist.params)

            def probs(*ps: Any) -> Any:
                return type(dist)._probs(**dict(zip(names, ps)))

            Deterministic(f"{name}_probs", T.apply(probs, *rv.inputs, opname="probs"))
        return rv

    @classmethod
    def dist(cls, *args: Any, compute_p: bool = True, **kwargs: Any) -> Any:
        return super().dist(*args, **kwargs)  # type: ignore[misc]
