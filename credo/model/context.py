"""The model context stack (thread-local): the only global state in credo.

``with Model():`` pushes a model; code that acts on "the current model" (variable
constructors, drawing, sampling) asks here, so it need not import the Model class.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from credo.errors import ModelError

if TYPE_CHECKING:
    from credo.model import Model

__all__ = ["push", "pop", "current", "modelcontext"]

_local = threading.local()


def _stack() -> list[Any]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def push(model: Model) -> None:
    _stack().append(model)


def pop() -> None:
    _stack().pop()


def current(error_if_none: bool = True) -> Model | None:
    """The innermost model on this thread's stack."""
    stack = _stack()
    if stack:
        return stack[-1]
    if error_if_none:
        raise ModelError("no model on the context stack: use `with credo.Model():`")
    return None


def modelcontext(model: Model | None) -> Model:
    """``model`` if given, else the innermost model on the context stack."""
    if model is not None:
        return model
    ctx = current(error_if_none=False)
    if ctx is None:
        raise ModelError("no model given and none on the context stack")
    return ctx
