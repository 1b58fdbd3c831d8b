"""Lazy tensors: the nodes of a model graph.

Every random variable, Data container and expression built from them is a
:class:`TensorVariable`: an ``op`` (a JAX-traceable callable), its ``inputs`` (nodes or
constants) and a static ``shape``/``dtype`` inferred with :func:`jax.eval_shape` when the
node is created, so that a shape error is raised at the user's line.

Evaluation (:func:`evaluate`) walks the graph once in topological order inside a JAX
trace, with the values of the leaves (random variables and Data) given in a dict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.errors import ShapeError

__all__ = ["TensorVariable", "as_tensor", "apply", "evaluate", "is_node", "lift", "toposort"]

# Node kinds. Leaves get their value from the environment at evaluation time.
RV = "rv"
DATA = "data"
EXPR = "expr"
DETERMINISTIC = "deterministic"
POTENTIAL = "potential"
LEAF_KINDS = (RV, DATA)


def _describe(x: Any) -> str:
    if isinstance(x, TensorVariable):
        return f"{x.label} (shape {x.shape})"
    arr = np.asarray(x)
    if arr.ndim == 0:
        return repr(arr.item())
    return f"constant of shape {arr.shape}"


def _leaf_op(*_: Any) -> Any:
    raise TypeError("a leaf of the model graph (random variable or Data) has no op")


class TensorVariable:
    """A node of the model graph with a static shape and dtype.

    Attributes:
        op: callable applied to the evaluated inputs (one that raises, for leaves).
        inputs: nodes or constants (numpy arrays / Python scalars).
        shape: static shape tuple.
        dtype: numpy dtype.
        name: the registered name, or ``None`` for an anonymous expression.
        kind: one of ``"rv"``, ``"data"``, ``"expr"``, ``"deterministic"``, ``"potential"``.
    """

    __array_priority__ = 1000

    def __init__(
        self,
        op: Callable[..., Any] | None,
        inputs: Sequence[Any],
        shape: tuple[int, ...],
        dtype: Any,
        *,
        name: str | None = None,
        kind: str = EXPR,
        label: str | None = None,
    ) -> None:
        self.op: Callable[..., Any] = op if op is not None else _leaf_op
        self.inputs = tuple(inputs)
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self.kind = kind
        self._label = label
        # Set for random variables by the model layer.
        self.distribution: Any = None
        self.observed: Any = None  # node or constant for observed RVs
        self.transform: Any = None
        self.model: Any = None
        self.dims: tuple[str | None, ...] | None = None
        # Why iterating this node is a mistake, where it is (a packed vector, say).
        self.iter_error: str | None = None
        # True when the value is jnp.stack(inputs): nodes of one shape and dtype, axis 0.
        self.stacked = False
        # Data containers: the stored value, its NaN count, and the minibatch it belongs to.
        self.value: Any = None
        self.nan_count = 0
        self.minibatch: Any = None
        # Observed random variables: the full data size a minibatch stands for.
        self.total_size: Any = None
        # Summed out by pm.marginalize: the value its readers see in the compiled model.
        self.marginal_placeholder: Any = None

    # -- identity -------------------------------------------------------------------
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:  # identity, so nodes can key dicts
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    @property
    def label(self) -> str:
        if self.name is not None:
            return self.name
        return self._label or "expression"

    def __repr__(self) -> str:
        kind = {RV: "RandomVariable", DATA: "Data"}.get(self.kind, "TensorVariable")
        return f"<{kind} {self.label} shape={self.shape} dtype={self.dtype}>"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError(f"len() of the scalar {self.label}")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError(f"cannot iterate over the scalar {self.label}")
        if self.iter_error is not None:
            raise ShapeError(self.iter_error)
        for i in range(self.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of {self.label} is not known when the model is defined; "
            "use credo.math.switch / where for conditions on random variables"
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(
            f"{self.label} is a symbolic credo variable and has no value yet; use credo.math "
            "functions (or numpy ufuncs) on it, or credo.math.lift(f) for another jax.numpy f"
        )

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, o: Any) -> TensorVariable:
        if getattr(o, "_credo_defer", False):  # a GP covariance/mean: its operator
            return NotImplemented
        return apply(jnp.add, self, o, opname="+")

    def __radd__(self, o: Any) -> TensorVariable:
        if getattr(o, "_credo_defer", False):  # a GP covariance/mean: its operator
            return NotImplemented
        return apply(jnp.add, o, self, opname="+")

    def __sub__(self, o: Any) -> TensorVariable:
        return apply(jnp.subtract, self, o, opname="-")

    def __rsub__(self, o: Any) -> TensorVariable:
        return apply(jnp.subtract, o, self, opname="-")

    def __mul__(self, o: Any) -> TensorVariable:
        if getattr(o, "_credo_defer", False):  # a GP covariance/mean: its operator
            return NotImplemented
        return apply(jnp.multiply, self, o, opname="*")

    def __rmul__(self, o: Any) -> TensorVariable:
        if getattr(o, "_credo_defer", False):  # a GP covariance/mean: its operator
            return NotImplemented
        return apply(jnp.multiply, o, self, opname="*")

    def __truediv__(self, o: Any) -> TensorVariable:
        return apply(jnp.true_divide, self, o, opname="/")

    def __rtruediv__(self, o: Any) -> TensorVariable:
        return apply(jnp.true_divide, o, self, opname="/")

    def __floordiv__(self, o: Any) -> TensorVariable:
        return apply(jnp.floor_divide, self, o, opname="//")

    def __rfloordiv__(self, o: Any) -> TensorVariable:
        return apply(jnp.floor_divide, o, self, opname="//")

    def __mod__(self, o: Any) -> TensorVariable:
        return apply(jnp.mod, self, o, opname="%")

    def __rmod__(self, o: Any) -> TensorVariable:
        return apply(jnp.mod, o, self, opname="%")

    def __pow__(self, o: Any) -> TensorVariable:
        return apply(jnp.power, self, o, opname="**")

    def __rpow__(self, o: Any) -> TensorVariable:
        return apply(jnp.power, o, self, opname="**")

    def __matmul__(self, o: Any) -> TensorVariable:
        return apply(jnp.matmul, self, o, opname="@")

    def __rmatmul__(self, o: Any) -> TensorVariable:
        return apply(jnp.matmul, o, self, opname="@")

    def __neg__(self) -> TensorVariable:
        return apply(jnp.negative, self, opname="-")

    def __pos__(self) -> TensorVariable:
        return self

    def __abs__(self) -> TensorVariable:
        return apply(jnp.abs, self, opname="abs")

    def __invert__(self) -> TensorVariable:
        return apply(jnp.invert, self, opname="~")

    def __and__(self, o: Any) -> TensorVariable:
        return apply(jnp.logical_and, self, o, opname="&")

    def __rand__(self, o: Any) -> TensorVariable:
        return apply(jnp.logical_and, o, self, opname="&")

    def __or__(self, o: Any) -> TensorVariable:
        return apply(jnp.logical_or, self, o, opname="|")

    def __ror__(self, o: Any) -> TensorVariable:
        return apply(jnp.logical_or, o, self, opname="|")

    def __lt__(self, o: Any) -> TensorVariable:
        return apply(jnp.less, self, o, opname="<")

    def __le__(self, o: Any) -> TensorVariable:
        return apply(jnp.less_equal, self, o, opname="<=")

    def __gt__(self, o: Any) -> TensorVariable:
        return apply(jnp.greater, self, o, opname=">")

    def __ge__(self, o: Any) -> TensorVariable:
        return apply(jnp.greater_equal, self, o, opname=">=")

    # -- numpy interop ------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if method != "__call__" or kwargs.get("out") is not None:
            return NotImplemented
        fn = getattr(jnp, ufunc.__name__, None)
        if fn is None:
            return NotImplemented
        return apply(fn, *args, opname=ufunc.__name__, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        fn = getattr(jnp, func.__name__, None)
        if fn is None:
            return NotImplemented
        return lift(fn, name=func.__name__)(*args, **kwargs)

    # -- indexing and methods -------------------------------------------------------------
    def __getitem__(self, index: Any) -> TensorVariable:
        return _getitem(self, index)

    @property
    def T(self) -> TensorVariable:
        return apply(jnp.transpose, self, opname="transpose")

    def transpose(self, *axes: Any) -> TensorVariable:
        ax = axes[0] if len(axes) == 1 and isinstance(axes[0], tuple | list) else axes
        return apply(lambda x: jnp.transpose(x, ax or None), self, opname="transpose")

    def dot(self, o: Any) -> TensorVariable:
        return apply(jnp.dot, self, o, opname="dot")

    def _reduce(self, fn: Callable[..., Any], opname: str, axis: Any, keepdims: bool):
        ax = tuple(axis) if isinstance(axis, list) else axis
        return apply(lambda x: fn(x, axis=ax, keepdims=keepdims), self, opname=opname)

    def sum(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.sum, "sum", axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.mean, "mean", axis, keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.prod, "prod", axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.max, "max", axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.min, "min", axis, keepdims)

    def std(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.std, "std", axis, keepdims)

    def var(self, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
        return self._reduce(jnp.var, "var", axis, keepdims)

    def cumsum(self, axis: Any = None) -> TensorVariable:
        return apply(lambda x: jnp.cumsum(x, axis=axis), self, opname="cumsum")

    def reshape(self, *shape: Any) -> TensorVariable:
        shp = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape
        shp = tuple(int(s) for s in np.atleast_1d(np.asarray(shp)))
        return apply(lambda x: jnp.reshape(x, shp), self, opname="reshape")

    def flatten(self) -> TensorVariable:
        return apply(jnp.ravel, self, opname="flatten")

    def squeeze(self, axis: Any = None) -> TensorVariable:
        return apply(lambda x: jnp.squeeze(x, axis), self, opname="squeeze")

    def astype(self, dtype: Any) -> TensorVariable:
        dt = np.dtype(dtype)
        return apply(lambda x: x.astype(dt), self, opname="astype")

    def dimshuffle(self, *pattern: Any) -> TensorVariable:
        """Theano's dimshuffle: a permutation with ``'x'`` for new broadcastable axes."""
        pat = pattern[0] if len(pattern) == 1 and isinstance(pattern[0], tuple | list) else pattern

        def op(x: Any) -> Any:
            kept = [p for p in pat if p != "x"]
            y = jnp.transpose(x, kept) if kept else jnp.reshape(x, ())
            for i, p in enumerate(pat):
                if p == "x":
                    y = jnp.expand_dims(y, i)
            return y

        return apply(op, self, opname="dimshuffle")

    def eval(self) -> np.ndarray:
        """Evaluate a graph with no random variables (data and constants only)."""
        return np.asarray(evaluate([self], {})[0])


def is_node(x: Any) -> bool:
    """Whether ``x`` is a node of the model graph (else a constant)."""
    return isinstance(x, TensorVariable)


def _contains_node(x: Any) -> bool:
    if is_node(x):
        return True
    if isinstance(x, list | tuple):
        return any(_contains_node(v) for v in x)
    return False


def as_tensor(x: Any) -> Any:
    """Return a node or a numpy constant. Lists mixing nodes and numbers are stacked."""
    if is_node(x):
        return x
    if isinstance(x, list | tuple) and _contains_node(x):
        parts = [as_tensor(v) for v in x]
        node = apply(lambda *vs: jnp.stack(jnp.broadcast_arrays(*vs)), *parts, opname="stack")
        mark_stacked(node)
        return node
    if hasattr(x, "values") and hasattr(x, "index"):  # pandas Series/DataFrame
        x = x.values
    if isinstance(x, jax.core.Tracer):
        return x  # inside traced code (a CustomDist's logp): stays a JAX value
    if isinstance(x, jax.Array):
        return np.asarray(x)
    if isinstance(x, bool | int | float | complex | np.number | np.bool_):
        return np.asarray(x, dtype=_default_dtype(x))
    arr = np.asarray(x)
    if arr.dtype == object:
        raise TypeError(f"cannot turn {type(x).__name__} into a tensor")
    return arr


def mark_stacked(node: Any) -> None:
    """Record that ``node`` stacks its inputs along a new axis 0, where they are all nodes of
    one shape and dtype (the compiler can then hand it a slice of a vector it already has)."""
    inputs = node.inputs if is_node(node) else ()
    if inputs and all(is_node(i) for i in inputs):
        first = inputs[0]
        if all(i.shape == first.shape and i.dtype == first.dtype for i in inputs):
            node.stacked = node.shape == (len(inputs), *first.shape) and node.dtype == first.dtype


def _default_dtype(x: Any) -> Any:
    if isinstance(x, bool | np.bool_):
        return bool
    if isinstance(x, int):
        return jax.dtypes.canonicalize_dtype(np.int64)
    if isinstance(x, float):
        return jax.dtypes.canonicalize_dtype(np.float64)
    return None


def _abstract(x: Any) -> Any:
    if is_node(x):
        return jax.ShapeDtypeStruct(x.shape, x.dtype)
    return x


def apply(
    fn: Callable[..., Any],
    *args: Any,
    opname: str | None = None,
    **kwargs: Any,
) -> TensorVariable:
    """Build a node that applies ``fn`` to ``args`` (nodes or constants) with static kwargs.

    Shapes are checked now with :func:`jax.eval_shape`; an error names the operands.
    """
    inputs = [as_tensor(a) for a in args]
    op = (lambda *xs: fn(*xs, **kwargs)) if kwargs else fn
    name = str(opname or getattr(fn, "__name__", "op"))
    try:
        out = jax.eval_shape(op, *[_abstract(x) for x in inputs])
    except (TypeError, ValueError) as err:
        operands = ", ".join(_describe(x) for x in inputs)
        raise ShapeError(f"cannot apply '{name}' to {operands}: {err}") from None
    if not isinstance(out, jax.ShapeDtypeStruct):
        raise TypeError(f"'{name}' must return a single array, got {type(out).__name__}")
    label = _make_label(name, inputs)
    return TensorVariable(op, inputs, out.shape, out.dtype, label=label)


def _make_label(name: str, inputs: Sequence[Any]) -> str:
    def short(x: Any) -> str:
        if is_node(x):
            lab = x.label
            return lab if len(lab) <= 40 else lab[:37] + "..."
        arr = np.asarray(x)
        return repr(arr.item()) if arr.ndim == 0 else f"array{arr.shape}"

    parts = [short(x) for x in inputs]
    if len(parts) == 2 and not name.isidentifier():
        return f"({parts[0]} {name} {parts[1]})"
    if len(parts) == 1 and name == "-":
        return f"-{parts[0]}"
    return f"{name}({', '.join(parts)})"


def lift(fn: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """Make any jax.numpy-style function accept credo nodes and return a lazy node.

    Positional arguments may be nodes, constants, or lists mixing them; keyword arguments
    must be static (Python values). Example: ``cosh = credo.math.lift(jnp.cosh)``.
    """
    opname = name or getattr(fn, "__name__", "op")

    def lifted(*args: Any, **kwargs: Any) -> Any:
        if not any(_contains_node(a) for a in args) and not any(
            _contains_node(v) for v in kwargs.values()
        ):
            return fn(*args, **kwargs)
        node_kwargs = {k: v for k, v in kwargs.items() if _contains_node(v)}
        if node_kwargs:
            keys = list(node_kwargs)
            static = {k: v for k, v in kwargs.items() if k not in node_kwargs}
            n = len(args)

            def op(*xs: Any) -> Any:
                return fn(*xs[:n], **static, **dict(zip(keys, xs[n:])))

            return apply(op, *args, *node_kwargs.values(), opname=opname)
        # A sequence argument (e.g. stack([a, b])) is passed through as one stacked node
        # only when the function expects a sequence; keep lists as lists of inputs.
        flat: list[Any] = []
        structure: list[Any] = []
        for a in args:
            if isinstance(a, list | tuple) and _contains_node(a):
                structure.append(("seq", len(a), type(a)))
                flat.extend(a)
            else:
                structure.append(("one",))
                flat.append(a)

        def op2(*xs: Any) -> Any:
            it = iter(xs)
            rebuilt = []
            for s in structure:
                if s[0] == "seq":
                    rebuilt.append(s[2](next(it) for _ in range(s[1])))
                else:
                    rebuilt.append(next(it))
            return fn(*rebuilt, **kwargs)

        return apply(op2, *flat, opname=opname)

    lifted.__name__ = str(opname)
    lifted.__doc__ = f"Lazy version of {opname} for credo variables.\n\n{fn.__doc__ or ''}"
    return lifted


# -- indexing ----------------------------------------------------------------------------
def _getitem(x: TensorVariable, index: Any) -> TensorVariable:
    idx = index if isinstance(index, tuple) else (index,)
    dynamic: list[Any] = []
    template: list[Any] = []
    for item in idx:
        if is_node(item) or isinstance(item, np.ndarray | list | jax.Array):
            arr = as_tensor(item)
            if not is_node(arr) and arr.dtype == bool:
                arr = np.nonzero(arr)[0] if arr.ndim == 1 else arr
            template.append(("dyn", len(dynamic)))
            dynamic.append(arr)
        elif isinstance(item, slice) and any(is_node(v) for v in (item.start, item.stop)):
            raise TypeError(f"slice bounds of {x.label}[...] must be integers, not variables")
        else:
            template.append(("static", item))
    _check_static_bounds(x, template)

    def op(v: Any, *dyn: Any) -> Any:
        key = tuple(dyn[t[1]] if t[0] == "dyn" else t[1] for t in template)
        return v[key if len(key) != 1 else key[0]]

    return apply(op, x, *dynamic, opname="getitem")


def _check_static_bounds(x: TensorVariable, template: list[Any]) -> None:
    axis = 0
    for kind, val in template:
        if kind == "static" and isinstance(val, int | np.integer) and axis < x.ndim:
            n = x.shape[axis]
            if not -n <= int(val) < n:
                raise IndexError(
                    f"index {val} is out of bounds for axis {axis} of {x.label} with size {n}"
                )
        if val is None:
            continue
        axis += 1


# -- evaluation ----------------------------------------------------------------------------
def _leaf_deps(node: TensorVariable) -> list[TensorVariable]:
    """Inputs needed to evaluate ``node`` when free RVs and Data are given values."""
    if node.kind == DATA or (node.kind == RV and node.observed is None):
        return []
    if node.kind == RV:
        return [node.observed] if is_node(node.observed) else []
    return [i for i in node.inputs if is_node(i)]


def toposort(
    outputs: Iterable[Any],
    deps: Callable[[TensorVariable], list[TensorVariable]] = _leaf_deps,
) -> list[TensorVariable]:
    """All nodes the outputs depend on (through ``deps``), each after its inputs.

    Iterative depth-first search, so deep graphs do not hit the recursion limit.
    """
    order: list[TensorVariable] = []
    seen: set[int] = set()
    for out in outputs:
        if not is_node(out) or id(out) in seen:
            continue
        stack: list[tuple[TensorVariable, bool]] = [(out, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for d in reversed(deps(node)):
                if id(d) not in seen:
                    stack.append((d, False))
    return order


def evaluate(
    outputs: Sequence[Any],
    env: dict[TensorVariable, Any],
    order: list[TensorVariable] | None = None,
) -> list[Any]:
    """Evaluate ``outputs`` given values of leaves in ``env`` (keyed by node).

    Free random variables and Data must be in ``env`` (Data falls back to its stored
    value); observed random variables evaluate to their observed value.
    """
    values: dict[int, Any] = {id(k): v for k, v in env.items()}
    nodes = order if order is not None else toposort(outputs)
    for node in nodes:
        if id(node) in values:
            continue
        if node.kind == DATA:
            values[id(node)] = node.value  # stored value (set_data replaces it)
        elif node.kind == RV:
            if node.observed is None:
                raise KeyError(f"no value given for the random variable {node.label}")
            obs = node.observed
            values[id(node)] = values[id(obs)] if is_node(obs) else obs
        else:
            args = [values[id(i)] if is_node(i) else i for i in node.inputs]
            values[id(node)] = node.op(*args)
    return [values[id(o)] if is_node(o) else o for o in outputs]
