"""Model: the registry of named variables, coords/dims, Data, Deterministic and Potential.

The model context stack (thread-local, in ``credo.context``) is the only global state in
credo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from credo import context
from credo import tensor as T
from credo.context import modelcontext
from credo.errors import DataError, ModelError, ShapeError

__all__ = ["Model", "Data", "Deterministic", "Potential", "set_data", "modelcontext"]

# ``transform=`` not given: the distribution's default transform.
UNSET: Any = object()


class Model:
    """A probabilistic model: a context manager in which variables are registered by name.

    Example::

        with credo.Model(coords={"group": ["a", "b"]}) as model:
            mu = credo.Normal("mu", 0, 1, dims="group")

    A model created inside another model is a sub-model: its variables are registered in the
    outer model with the prefix ``"<name>::"``.
    """

    def __init__(self, name: str = "", coords: dict[str, Any] | None = None, **_: Any) -> None:
        parent = Model.get_context(error_if_none=False)
        self.name = name
        if parent is not None:
            self.parent: Model | None = parent
            self.root: Model = parent.root
            self.prefix: str = parent.prefix + (f"{name}::" if name else "")
        else:
            self.parent = None
            self.root = self
            self.prefix = f"{name}::" if name else ""
            self._named_vars: dict[str, T.TensorVariable] = {}
            self._free_RVs: list[T.TensorVariable] = []
            self._observed_RVs: list[T.TensorVariable] = []
            self._deterministics: list[T.TensorVariable] = []
            self._potentials: list[T.TensorVariable] = []
            self._data_vars: list[T.TensorVariable] = []
            self._coords: dict[str, tuple[Any, ...] | None] = {}
            self._dims: dict[str, tuple[str | None, ...]] = {}
            self._initvals: dict[str, Any] = {}
            # Variables summed out by pm.marginalize (credo.marginal), by name.
            self._marginals: dict[str, Any] = {}
            self.structure_version = 0
            self._compiled: dict[Any, Any] = {}
        if coords:
            self.add_coords(coords)

    # -- context -----------------------------------------------------------------------
    def __enter__(self) -> Model:
        context.push(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        context.pop()

    @classmethod
    def get_context(cls, error_if_none: bool = True) -> Model | None:
        return context.current(error_if_none)

    # -- registry views ---------------------------------------------------------------------
    @property
    def named_vars(self) -> dict[str, T.TensorVariable]:
        return dict(self.root._named_vars)

    @property
    def free_RVs(self) -> list[T.TensorVariable]:  # noqa: N802 (PyMC's name)
        return list(self.root._free_RVs)

    @property
    def observed_RVs(self) -> list[T.TensorVariable]:  # noqa: N802
        return list(self.root._observed_RVs)

    @property
    def basic_RVs(self) -> list[T.TensorVariable]:  # noqa: N802
        return self.free_RVs + self.observed_RVs

    @property
    def deterministics(self) -> list[T.TensorVariable]:
        return list(self.root._deterministics)

    @property
    def potentials(self) -> list[T.TensorVariable]:
        return list(self.root._potentials)

    @property
    def data_vars(self) -> list[T.TensorVariable]:
        return list(self.root._data_vars)

    @property
    def coords(self) -> dict[str, tuple[Any, ...] | None]:
        return dict(self.root._coords)

    @property
    def named_vars_to_dims(self) -> dict[str, tuple[str | None, ...]]:
        return dict(self.root._dims)

    @property
    def dim_lengths(self) -> dict[str, int]:
        out = {}
        for k, v in self.root._coords.items():
            if v is not None:
                out[k] = len(v)
        return out

    @property
    def rvs_to_initial_values(self) -> dict[str, Any]:
        return dict(self.root._initvals)

    def __getitem__(self, name: str) -> T.TensorVariable:
        nv = self.root._named_vars
        if name in nv:
            return nv[name]
        if self.prefix + name in nv:
            return nv[self.prefix + name]
        raise KeyError(f"the model has no variable named '{name}'; it has {list(nv)}")

    def __contains__(self, name: object) -> bool:
        return name in self.root._named_vars

    def __repr__(self) -> str:
        lines = [f"<credo.Model{' ' + self.name if self.name else ''}>"]
        for var in self.root._named_vars.values():
            lines.append(f"  {var.name} ~ {_describe_var(var)}")
        return "\n".join(lines)

    # -- coords and dims ----------------------------------------------------------------
    def add_coord(self, name: str, values: Any = None, *, length: int | None = None) -> None:
        if values is not None:
            if hasattr(values, "tolist") and not isinstance(values, list | tuple):
                values = values.tolist()
            vals: tuple[Any, ...] | None = tuple(values)
        elif length is not None:
            vals = tuple(range(int(length)))
        else:
            vals = None
        if vals is not None:
            _check_unique_coords(name, vals)
        old = self.root._coords.get(name)
        if name in self.root._coords and old is not None and vals is not None and old != vals:
            raise ModelError(f"coords '{name}' is already defined with other values")
        self.root._coords[name] = vals

    def add_coords(self, coords: dict[str, Any]) -> None:
        for k, v in coords.items():
            self.add_coord(k, v)

    def resolve_dims(self, var_name: str, dims: Any) -> tuple[str | None, ...] | None:
        if dims is None:
            return None
        dims_t = (dims,) if isinstance(dims, str) else tuple(dims)
        for d in dims_t:
            if d is not None and d not in self.root._coords:
                known = list(self.root._coords) or "none"
                raise ModelError(
                    f"variable '{var_name}': unknown dims name '{d}'; the model's coords "
                    f"are {known}. Add it with Model(coords={{'{d}': values}})"
                )
        return dims_t

    def shape_from_dims(self, var_name: str, dims: tuple[str | None, ...]) -> tuple[int, ...]:
        shape = []
        for d in dims:
            vals = self.root._coords.get(d) if d is not None else None
            if vals is None:
                raise ModelError(
                    f"variable '{var_name}': the length of dim '{d}' is unknown; give its "
                    "coordinate values or pass shape="
                )
            shape.append(len(vals))
        return tuple(shape)

    def _check_dims_shape(self, name: str, dims: tuple | None, shape: tuple[int, ...]) -> None:
        if dims is None:
            return
        if len(dims) != len(shape):
            raise ShapeError(f"variable '{name}': dims {dims} do not match its shape {shape}")
        for d, n in zip(dims, shape):
            if d is None:
                continue
            vals = self.root._coords.get(d)
            if vals is None:
                self.root._coords[d] = tuple(range(n))
            elif len(vals) != n:
                raise ShapeError(
                    f"variable '{name}': dim '{d}' has {len(vals)} coordinates but the "
                    f"variable's axis has length {n}"
                )

    # -- registration ------------------------------------------------------------------
    def check_new_name(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ModelError(f"a variable's name must be a non-empty str, got {name!r}")
        if name in self.root._named_vars:
            raise ModelError(f"the model already has a variable named '{name}'")

    def _add(self, name: str, node: T.TensorVariable, dims: tuple | None) -> None:
        root = self.root
        self._check_dims_shape(name, dims, node.shape)
        node.name = name
        node.model = root
        node.dims = dims
        root._named_vars[name] = node
        if dims is not None:
            root._dims[name] = dims
        root.structure_version += 1
        root._compiled.clear()

    def prepare_observed(self, name: str, observed: Any) -> Any:
        """Check observed data: an expression/Data node, or a numeric array.

        Data with missing entries (NaN, or masked in a numpy masked array) come back as a
        :class:`credo.missing.MissingData`, which the distribution imputes.
        """
        from credo.missing_data import find_missing

        if isinstance(observed, T.TensorVariable):
            if observed.kind == T.RV and observed.observed is None and observed.model is None:
                raise ModelError(f"variable '{name}': observed= cannot be an unnamed .dist()")
            if observed.kind == T.DATA:
                return find_missing(name, observed) or observed
            _check_no_nan_data(self.root, name, observed, "observed data")
            _check_observed_expression(name, observed)
            return observed
        if hasattr(observed, "values") and hasattr(observed, "index"):
            observed = observed.values
        if isinstance(observed, np.ma.MaskedArray):
            missing = find_missing(name, observed)
            if missing is not None:
                return missing
            observed = observed.data
        arr = np.asarray(observed)
        if arr.dtype == object:
            try:
                arr = arr.astype(float)
            except (TypeError, ValueError):
                raise DataError(
                    f"variable '{name}': observed data must be numeric, got {arr.dtype}"
                ) from None
        _check_numeric(f"variable '{name}': observed data", arr)
        missing = find_missing(name, arr)
        if missing is not None:
            return missing
        if arr.dtype.kind == "b":
            arr = arr.astype(np.int64)
        return arr

    def register_rv(
        self,
        rv: T.TensorVariable,
        name: str,
        *,
        observed: Any = None,
        dims: tuple | None = None,
        transform: Any = None,
        initval: Any = None,
        total_size: Any = None,
    ) -> T.TensorVariable:
        root = self.root
        dist = rv.distribution
        for param in rv.inputs:
            _check_no_nan_data(root, name, param, "a parameter")
        if observed is not None:
            rv.total_size = total_size
            rv.observed = observed
            rv.transform = None
            self._add(name, rv, dims)
            root._observed_RVs.append(rv)
            return rv
        if transform is UNSET:
            rv.transform = dist.default_transform()
        else:
            rv.transform = transform
        self._add(name, rv, dims)
        root._free_RVs.append(rv)
        if initval is not None:
            val = np.broadcast_to(np.asarray(initval, dtype=rv.dtype), rv.shape)
            root._initvals[name] = np.array(val)
        return rv

    def register_data(self, node: T.TensorVariable, name: str, dims: tuple | None) -> None:
        self._add(name, node, dims)
        self.root._data_vars.append(node)

    def register_deterministic(self, node: T.TensorVariable, name: str, dims: tuple | None) -> None:
        self._add(name, node, dims)
        self.root._deterministics.append(node)

    def register_potential(self, node: T.TensorVariable, name: str, dims: tuple | None) -> None:
        self._add(name, node, dims)
        self.root._potentials.append(node)

    # -- compiled functions (see credo.compile) -----------------------------------------
    def compiled(self) -> Any:
        """The model's compiled functions (``credo.compile.CompiledModel``), built once per
        model structure: registering a variable makes the next call build anew."""
        from credo.compile import CompiledModel

        root = self.root
        cm = root._compiled.get(root.structure_version)
        if cm is None:
            cm = CompiledModel(root)
            root._compiled[root.structure_version] = cm
        return cm

    def initial_point(self, random_seed: int | None = None) -> dict[str, np.ndarray]:
        """Constrained starting values of the free variables (moment-like defaults)."""
        return self.compiled().initial_point()

    def compile_logp(
        self, vars: Sequence[Any] | None = None, jacobian: bool = True, sum: bool = True
    ) -> Callable[[dict[str, Any]], Any]:
        """A jitted function of a dict of constrained values (by name) -> joint log-density.

        With ``jacobian=True`` the log-Jacobians of the transforms (evaluated at the
        unconstrained images of the given values) are included, as in the density that
        the sampler targets. ``vars``: restrict to these variables' terms (names or nodes).
        ``sum=False`` returns a list of the terms instead of their sum.
        """
        return self.compiled().logp_fn(jacobian=jacobian, vars=vars, sum=sum)

    def point_logps(self, point: dict[str, Any] | None = None) -> dict[str, float]:
        """Each free/observed variable's (and potential's) log-density at a point."""
        return self.compiled().point_logps(point)

    def logp(self, point: dict[str, Any] | None = None, jacobian: bool = True) -> float:
        pt = point if point is not None else self.initial_point()
        return float(self.compile_logp(jacobian=jacobian)(pt))

    def to_graphviz(self, **kwargs: Any) -> Any:
        from credo.graphviz import model_to_graphviz

        return model_to_graphviz(self, **kwargs)

    def set_data(self, name: str, value: Any, coords: dict[str, Any] | None = None) -> None:
        set_data({name: value}, model=self, coords=coords)


def _describe_var(var: T.TensorVariable) -> str:
    if var.kind == T.RV:
        d = type(var.distribution).__name__
        return f"{d}{'' if not var.shape else ' ' + str(var.shape)}" + (
            " (observed)" if var.observed is not None else ""
        )
    return f"{var.kind} {var.shape}"


def _nan_count(arr: np.ndarray) -> int:
    return int(np.isnan(arr).sum()) if arr.dtype.kind in "fc" else 0


def _check_no_nan_data(root: Model, name: str, node: Any, role: str) -> None:
    """Refuse a Data container with NaN entries that feeds ``node`` (only observed data
    can be imputed; a predictor with NaN would make the log-density NaN)."""
    if not isinstance(node, T.TensorVariable):
        return
    if not any(getattr(d, "nan_count", 0) for d in root._data_vars):
        return  # the usual case: no graph walk
    for n in T.toposort([node]):
        count = getattr(n, "nan_count", 0) if n.kind == T.DATA else 0
        if count:
            raise ValueError(
                f"variable '{name}': the Data '{n.name}' in {role} has {count} NaN value(s); "
                "only observed data are imputed: fill or drop the rows with missing "
                "predictors, or model the predictor as a random variable with observed="
            )


def _current(what: str, name: str) -> Model:
    model = Model.get_context(error_if_none=False)
    if model is None:
        raise ModelError(
            f"{what}('{name}') was created outside any model: write it inside `with credo.Model():`"
        )
    return model


def Data(  # noqa: N802 (PyMC's spelling)
    name: str,
    value: Any,
    *,
    dims: Any = None,
    coords: dict[str, Any] | None = None,
    mutable: bool | None = None,
    **_: Any,
) -> T.TensorVariable:
    """A named data container whose value can be replaced with :func:`set_data`.

    Data are passed to compiled functions as arguments, so new values of the same shape
    recompile nothing.
    """
    model = _current("Data", name)
    full = model.prefix + name
    model.check_new_name(full)
    if hasattr(value, "values") and hasattr(value, "index"):
        value = value.values
    arr = np.asarray(value)
    _check_numeric(f"Data '{name}'", arr)
    if coords:
        model.add_coords(coords)
    dims_t = None
    if dims is not None:
        dims_t = (dims,) if isinstance(dims, str) else tuple(dims)
        for d, n in zip(dims_t, arr.shape):
            if d is not None and d not in model.root._coords:
                model.add_coord(d, length=n)
    node = T.TensorVariable(None, (), arr.shape, arr.dtype, name=full, kind=T.DATA)
    node.value = arr
    node.nan_count = _nan_count(arr)
    model.register_data(node, full, dims_t)
    return node


# PyMC 4/5 spellings of the same container.
MutableData = Data
ConstantData = Data


def set_data(
    new_data: dict[str, Any], model: Model | None = None, coords: dict[str, Any] | None = None
) -> None:
    """Replace the values of Data containers: ``set_data({"x": new_x})``."""
    m = modelcontext(model).root
    for name, value in new_data.items():
        if name not in m._named_vars or m._named_vars[name].kind != T.DATA:
            datas = [d.name for d in m._data_vars]
            raise ModelError(f"set_data: '{name}' is not a Data container; Data: {datas}")
        node = m._named_vars[name]
        if hasattr(value, "values") and hasattr(value, "index"):
            value = value.values
        arr = np.asarray(value)
        _check_numeric(f"set_data: '{name}'", arr)
        if arr.ndim != len(node.shape):
            raise ShapeError(
                f"set_data: '{name}' has {len(node.shape)} dimension(s), new value has shape "
                f"{arr.shape}"
            )
        if node.dtype.kind in "iu" and arr.dtype.kind == "f":
            raise TypeError(f"set_data: '{name}' holds integers, got float values")
        node.value = arr.astype(node.dtype, copy=False)
        node.nan_count = _nan_count(node.value)
        node.shape = arr.shape
        if node.dims:
            for d, n in zip(node.dims, arr.shape):
                if d is None:
                    continue
                if coords and d in coords:
                    m._coords[d] = _check_unique_coords(d, tuple(np.asarray(coords[d]).tolist()))
                elif (known := m._coords.get(d)) is not None and len(known) != n:
                    m._coords[d] = tuple(range(n))
    if coords:
        for d, v in coords.items():
            m._coords[d] = _check_unique_coords(d, tuple(np.asarray(v).tolist()))


def Deterministic(name: str, var: Any, dims: Any = None) -> T.TensorVariable:  # noqa: N802
    """A named quantity computed from other variables, recorded in the posterior."""
    model = _current("Deterministic", name)
    full = model.prefix + name
    model.check_new_name(full)
    dims_t = model.resolve_dims(full, dims)
    inner = _expression("Deterministic", full, var)
    node = T.apply(lambda x: x, inner, opname="identity")
    node.kind = T.DETERMINISTIC
    model.register_deterministic(node, full, dims_t)
    return node


def Potential(name: str, var: Any, dims: Any = None) -> T.TensorVariable:  # noqa: N802
    """A named term added to the model's log-density (e.g. a soft constraint)."""
    model = _current("Potential", name)
    full = model.prefix + name
    model.check_new_name(full)
    dims_t = model.resolve_dims(full, dims)
    inner = _expression("Potential", full, var)
    node = T.apply(lambda x: x, inner, opname="identity")
    if not np.issubdtype(node.dtype, np.floating):
        node = node.astype(jnp.result_type(float))
    node.kind = T.POTENTIAL
    model.register_potential(node, full, dims_t)
    return node


# -- checks of what the user passes -------------------------------------------------------
def _check_numeric(what: str, arr: np.ndarray) -> None:
    if arr.dtype.kind not in "biufc":
        raise DataError(f"{what} must be numeric, got an array of dtype {arr.dtype}")


def _check_unique_coords(name: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Coordinate values label the positions of an axis: each must be distinct."""
    try:
        counts: dict[Any, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
    except TypeError:  # unhashable labels: nothing to compare cheaply
        return values
    dup = [v for v, c in counts.items() if c > 1]
    if dup:
        raise ModelError(
            f"coords '{name}': the values must be distinct, but {dup[:5]} occur more than "
            "once; use distinct labels (or pass length= for positions only)"
        )
    return values


def _expression(what: str, name: str, var: Any) -> Any:
    """``var`` as a node or constant, or an error naming the variable."""
    if isinstance(var, str):
        raise ModelError(
            f"{what}('{name}', ...): got the str {var!r}; pass an expression of the model's "
            f"variables (e.g. a * b), or the variable itself (model[{var!r}])"
        )
    if callable(var) and not isinstance(var, T.TensorVariable):
        raise ModelError(
            f"{what}('{name}', ...): got the function {getattr(var, '__name__', var)!r}; "
            "pass the expression it computes, e.g. "
            f"{what}('{name}', f(a)) rather than {what}('{name}', f)"
        )
    try:
        return T.as_tensor(var)
    except TypeError:
        raise ModelError(
            f"{what}('{name}', ...): expected an expression of the model's variables or a "
            f"numeric array, got {type(var).__name__}"
        ) from None


def _check_observed_expression(name: str, observed: T.TensorVariable) -> None:
    """``observed=`` an expression of free variables is used without a Jacobian, which is
    right only where its derivative with respect to the data is one: the data plus or minus
    terms of the parameters (``y - mu``). Anything else (``y / s``, ``log(y) * s``) would
    silently target another density."""
    free = _free_inputs(observed)
    if not free:
        return  # data only: plain observed data
    data_terms: list[Any] = []
    param_terms: list[Any] = []
    _additive_terms(observed, data_terms, param_terms)
    data_leaves = {id(x) for t in data_terms for x in _leaves(t)}
    # The data must not enter the parameter terms too (y - mu * y has derivative 1 - mu).
    tangled = any(id(x) in data_leaves for t in param_terms for x in _leaves(t) if _big(x))
    if data_terms and not tangled:
        return
    raise ModelError(
        f"variable '{name}': observed= is an expression of the free variable(s) "
        f"{sorted(free)} whose derivative with respect to the data is not one "
        f"({observed.label}); its log-density would need a Jacobian term credo does not add. "
        "Only a shift of the data (observed=y - mu) is allowed: put the parameters in the "
        "distribution instead (e.g. Normal(name, mu, sigma, observed=y)), or write the "
        "log-density term, Jacobian included, with pm.Potential"
    )


def _free_inputs(node: T.TensorVariable) -> set[str]:
    return {n.label for n in T.toposort([node]) if n.kind == T.RV and n.observed is None}


def _additive_terms(node: Any, data_terms: list[Any], param_terms: list[Any]) -> None:
    """Split ``node`` at its sums and differences into RV-free terms and the others."""
    if not isinstance(node, T.TensorVariable) or not _free_inputs(node):
        data_terms.append(node)
        return
    inner = node
    while inner.kind == T.DETERMINISTIC:
        inner = inner.inputs[0]
    if inner.kind == T.EXPR and inner.op in (jnp.add, jnp.subtract, jnp.negative):
        for x in inner.inputs:
            _additive_terms(x, data_terms, param_terms)
        return
    param_terms.append(inner)


def _leaves(node: Any) -> list[Any]:
    """The constants and Data containers ``node`` reads (RVs are parameters, not data)."""
    if not isinstance(node, T.TensorVariable):
        return [node]
    out: list[Any] = []
    for n in T.toposort([node]):
        if n.kind == T.DATA:
            out.append(n)
        elif n.kind not in T.LEAF_KINDS:
            out.extend(i for i in n.inputs if not isinstance(i, T.TensorVariable))
    return out


def _big(x: Any) -> bool:
    """Data arrays rather than scalar constants such as the 2 of ``2 * mu``."""
    return isinstance(x, T.TensorVariable) or np.ndim(x) > 0
