"""The model layer: ``Model`` and its context stack, coords/dims, ``Data``, ``Deterministic``
and ``Potential`` (``core``); lazy tensors (``tensor``); ``pm.math`` (``math``); observed
data with missing entries (``missing_data``).

It imports nothing of credo outside itself but the errors and the special functions: the
layers below it (``credo.compile``, ``credo.graphviz``) install what ``Model.compiled()``
and ``Model.to_graphviz()`` call when they are imported (``core.set_compiler``,
``core.set_drawer``), so the arrows point one way.
"""

from credo.model.context import modelcontext
from credo.model.core import (
    UNSET,
    ConstantData,
    Data,
    Deterministic,
    Model,
    MutableData,
    Potential,
    set_compiler,
    set_data,
    set_drawer,
)

__all__ = [
    "UNSET",
    "ConstantData",
    "Data",
    "Deterministic",
    "Model",
    "MutableData",
    "Potential",
    "modelcontext",
    "set_compiler",
    "set_data",
    "set_drawer",
]
