"""Errors raised at model-definition time. Each names the variable at fault."""

from __future__ import annotations


class CredoError(Exception):
    """Base class of credo's errors."""


class ModelError(CredoError):
    """A variable cannot be registered: no model, a duplicate name, an unknown dim, ..."""


class ShapeError(CredoError, ValueError):
    """Shapes that cannot be combined, or observed data that do not match a distribution."""


class ParameterError(CredoError, ValueError):
    """A distribution parameter outside its support, or unknown/conflicting keywords."""


class SamplingError(CredoError, RuntimeError):
    """The sampler cannot start or continue (for example: no finite initial point)."""
