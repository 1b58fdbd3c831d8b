"""Draw a model as a Graphviz graph, in PyMC's ``model_to_graphviz`` style.

One node per named variable, labelled ``"name\\n~\\nNormal"`` (or ``Deterministic``,
``Potential``, ``Data``); free random variables are ellipses, observed ones shaded ellipses,
Deterministics boxes, Data rounded shaded boxes, Potentials octagons. An edge ``a -> b`` means
that ``b`` reads ``a``, directly or through anonymous expressions (``mu = a + b * x``) or
unregistered ``.dist()`` nodes (an ``sd_dist``). Variables of the same shape (or dims) share a
plate labelled ``"group (3)"`` or ``"3 x 2"``; scalars sit outside any plate.

:func:`model_graph` gives the structure (nodes, edges, plates) without Graphviz, for tests and
other renderers; :func:`model_to_graphviz` builds the :class:`graphviz.Digraph`.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import graphviz

from credo import tensor as T
from credo.context import modelcontext

if TYPE_CHECKING:
    from credo.model import Model

__all__ = [
    "GraphNode",
    "ModelGraph",
    "GraphvizNotFoundWarning",
    "model_graph",
    "model_to_graphviz",
    "render_graph",
]

# Formats written as DOT text, without the `dot` program.
_SOURCE_FORMATS = ("dot", "gv")
_FORMATTINGS = ("plain", "plain_with_params", "latex", "latex_with_params")

_INSTALL_HINT = (
    "install Graphviz's `dot` program (Debian/Ubuntu: `apt-get install graphviz`; macOS: "
    "`brew install graphviz`; conda: `conda install -c conda-forge graphviz`)"
)


class GraphvizNotFoundWarning(UserWarning):
    """Graphviz's ``dot`` program is missing, so DOT text was written instead of an image."""


class GraphNode(NamedTuple):
    """One drawn variable.

    ``role``: ``"free"``, ``"observed"``, ``"deterministic"``, ``"potential"`` or ``"data"``;
    ``attrs``: the Graphviz node attributes (``label``, ``shape``, ``style``, ...);
    ``plate``: the plate label, ``""`` for scalars.
    """

    name: str
    role: str
    attrs: dict[str, str]
    plate: str


class ModelGraph(NamedTuple):
    """The drawable structure of a model.

    ``nodes``: by name, in the model's registration order; ``edges``: ``(parent, child)``
    names, sorted by child then parent in registration order; ``plates``: plate label ->
    names in it (``""`` collects the scalars).
    """

    nodes: dict[str, GraphNode]
    edges: list[tuple[str, str]]
    plates: dict[str, list[str]]


# -- structure ---------------------------------------------------------------------------------
_is_node = T.is_node


def _direct_inputs(node: T.TensorVariable) -> list[Any]:
    """What a node reads: its inputs, and for random variables also the distribution's
    parameters (multivariates may keep more there), static values and observed data."""
    out: list[Any] = list(node.inputs)
    if node.kind == T.RV:
        dist = node.distribution
        if dist is not None:
            out.extend(getattr(dist, "params", {}).values())
            out.extend(getattr(dist, "static", {}).values())
        out.append(node.observed)
    return out


def _flatten(values: Iterable[Any]) -> list[T.TensorVariable]:
    """The nodes among ``values``, looking inside lists, tuples and dicts."""
    found: list[T.TensorVariable] = []
    stack = list(values)
    while stack:
        x = stack.pop()
        if _is_node(x):
            found.append(x)
        elif isinstance(x, list | tuple):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return found


def _named_parents(node: T.TensorVariable) -> list[T.TensorVariable]:
    """The named variables ``node`` reads, walking up through anonymous nodes and stopping
    at the first named node on each path."""
    found: list[T.TensorVariable] = []
    seen = {id(node)}
    stack = _flatten(_direct_inputs(node))
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x.name is not None:
            found.append(x)
            continue
        stack.extend(_flatten(_direct_inputs(x)))
    return found


def _role(node: T.TensorVariable) -> str:
    if node.kind == T.RV:
        return "observed" if node.observed is not None else "free"
    if node.kind == T.DATA:
        return "data"
    return node.kind  # deterministic or potential


def _node_attrs(node: T.TensorVariable, role: str) -> dict[str, str]:
    if role in ("free", "observed"):
        what = type(node.distribution).__name__
    else:
        what = {"data": "Data", "deterministic": "Deterministic", "potential": "Potential"}[role]
    attrs = {"label": f"{node.name}\n~\n{what}"}
    # PyMC's look: shaded = observed (data and observed variables).
    if role == "free":
        attrs["shape"] = "ellipse"
    elif role == "observed":
        attrs.update(shape="ellipse", style="filled", fillcolor="gray")
    elif role == "deterministic":
        attrs["shape"] = "box"
    elif role == "potential":
        attrs["shape"] = "octagon"
    else:
        attrs.update(shape="box", style="rounded, filled", fillcolor="gray")
    return attrs


def _plate_label(node: T.TensorVariable) -> str:
    """``"group (3)"`` per named axis, the bare length otherwise, joined by ``" x "``."""
    shape = tuple(node.shape)
    dims = tuple(node.dims) if node.dims is not None else (None,) * len(shape)
    if len(dims) != len(shape):
        dims = (None,) * len(shape)
    parts = [f"{d} ({n:,})" if d is not None else f"{n:,}" for d, n in zip(dims, shape)]
    return " x ".join(parts)


def _selected(
    model: Model, named: dict[str, T.TensorVariable], var_names: Iterable[str] | None
) -> set[str]:
    """The chosen variables and all their named ancestors."""
    if var_names is None:
        return set(named)
    if isinstance(var_names, str):
        var_names = [var_names]
    keep: set[str] = set()
    # Registered variables: their names are set.
    stack = [str(model[v].name) for v in var_names]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(str(p.name) for p in _named_parents(named[name]) if p.name in named)
    return keep


def model_graph(model: Model | None = None, var_names: Iterable[str] | None = None) -> ModelGraph:
    """The nodes, edges and plates that :func:`model_to_graphviz` draws.

    ``var_names``: draw only these variables and the named variables they depend on.
    """
    model = modelcontext(model)
    named = model.named_vars
    keep = _selected(model, named, var_names)
    order = {name: i for i, name in enumerate(named)}
    nodes: dict[str, GraphNode] = {}
    edges: list[tuple[str, str]] = []
    plates: dict[str, list[str]] = {}
    for name, node in named.items():
        if name not in keep:
            continue
        role = _role(node)
        plate = _plate_label(node)
        nodes[name] = GraphNode(name, role, _node_attrs(node, role), plate)
        plates.setdefault(plate, []).append(name)
        parents = {p.name for p in _named_parents(node) if p.name in keep}
        edges.extend((p, name) for p in sorted(parents, key=order.__getitem__))
    return ModelGraph(nodes, edges, plates)


# -- drawing -----------------------------------------------------------------------------------
def _node_id(name: str) -> str:
    # Graphviz reads "a:b" in an edge as node a, port b; sub-model names contain "::".
    return name.replace(":", "&#58;")


def _digraph(structure: ModelGraph, name: str) -> graphviz.Digraph:
    graph = graphviz.Digraph(name or None)
    for label, names in structure.plates.items():
        if not label:
            for n in names:
                graph.node(_node_id(n), **structure.nodes[n].attrs)
            continue
        # A subgraph whose name starts with "cluster" is drawn as a box.
        with graph.subgraph(name=f"cluster {label}") as sub:
            sub.attr(label=label, labeljust="r", labelloc="b", style="rounded")
            for n in names:
                sub.node(_node_id(n), **structure.nodes[n].attrs)
    for parent, child in structure.edges:
        graph.edge(_node_id(parent), _node_id(child))
    return graph


def _sized(
    graph: graphviz.Digraph, figsize: tuple[float, float] | None, dpi: int
) -> graphviz.Digraph:
    out = graph.copy()
    if figsize is not None:
        out.graph_attr["size"] = f"{figsize[0]},{figsize[1]}!"
    out.graph_attr["dpi"] = str(int(dpi))
    return out


def _write(
    graph: graphviz.Digraph,
    path: str | os.PathLike[str],
    figsize: tuple[float, float] | None,
    dpi: int,
    stacklevel: int,
) -> Path:
    """Write ``graph`` to ``path`` (format from the suffix, PNG without one); without the
    ``dot`` program, write the DOT text next to it and warn. Returns the written path."""
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if not fmt:
        fmt, target = "png", target.with_suffix(".png")
    drawn = _sized(graph, figsize, dpi)
    if fmt in _SOURCE_FORMATS:
        target.write_text(drawn.source)
        return target
    if shutil.which("dot") is not None:
        try:
            data = drawn.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            pass
        else:
            target.write_bytes(data)
            return target
    fallback = target.with_suffix(".dot")
    fallback.write_text(drawn.source)
    warnings.warn(
        f"Graphviz's `dot` program was not found, so {str(target)!r} could not be drawn; the "
        f"graph's DOT text was written to {str(fallback)!r} instead. To get images, "
        f"{_INSTALL_HINT}, then run again (or `dot -T{fmt} {fallback} -o {target}`).",
        GraphvizNotFoundWarning,
        stacklevel=stacklevel,
    )
    return fallback


def model_to_graphviz(
    model: Model | None = None,
    *,
    var_names: Iterable[str] | None = None,
    formatting: str = "plain",
    save: str | os.PathLike[str] | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: int = 300,
) -> graphviz.Digraph:
    """Draw the model's variables and their dependencies as a :class:`graphviz.Digraph`.

    Args:
        model: the model; the innermost one on the context stack when ``None``.
        var_names: draw only these variables and the named variables they depend on.
        formatting: ``"plain"`` (PyMC's other formattings are drawn as ``"plain"``, with a
            warning).
        save: write the drawing to this file; the format follows the suffix (``.png``,
            ``.svg``, ``.pdf``, ...; ``.dot``/``.gv`` give the DOT text). Without Graphviz's
            ``dot`` program the DOT text is written instead, with a
            :class:`GraphvizNotFoundWarning`.
        figsize: ``(width, height)`` in inches of the saved drawing.
        dpi: resolution of the saved drawing.

    Returns:
        The graph; in a notebook it displays itself (which needs ``dot``).
    """
    if formatting not in _FORMATTINGS:
        raise ValueError(f"formatting must be one of {list(_FORMATTINGS)}, got {formatting!r}")
    if formatting != "plain":
        warnings.warn(
            f"formatting={formatting!r} is not supported; drawing with 'plain'",
            UserWarning,
            stacklevel=2,
        )
    model = modelcontext(model)
    graph = _digraph(model_graph(model, var_names), model.root.name)
    if save is not None:
        _write(graph, save, figsize, dpi, stacklevel=3)
    return graph


def render_graph(
    model: Model | None,
    path: str | os.PathLike[str],
    *,
    figsize: tuple[float, float] | None = None,
    dpi: int = 150,
) -> Path:
    """Draw ``model`` to ``path`` (PNG without a suffix) and return the written path: the
    image, or the ``.dot`` text beside it when Graphviz's ``dot`` program is missing (with a
    :class:`GraphvizNotFoundWarning`)."""
    model = modelcontext(model)
    graph = _digraph(model_graph(model), model.root.name)
    return _write(graph, path, figsize, dpi, stacklevel=3)
