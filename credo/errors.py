"""Errors raised at model-definition time. Each names the variable at fault."""

from __future__ import annotations

import os
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class CredoError(Exception):
    """Base class of credo's errors."""


class ModelError(CredoError):
    """A variable cannot be registered: no model, a duplicate name, an unknown dim, ..."""


class ShapeError(CredoError, ValueError):
    """Shapes that cannot be combined, or observed data that do not match a distribution."""


class ParameterError(CredoError, ValueError):
    """A distribution parameter outside its support, or unknown/conflicting keywords."""


class DataError(CredoError, TypeError, ValueError):
    """Observed data or a Data container's value that credo cannot use (not numeric,
    NaN, masked)."""


class SamplingError(CredoError, RuntimeError):
    """The sampler cannot start or continue (for example: no finite initial point)."""


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """A warning attributed to the first line outside credo: the user's line."""
    warnings.warn(message, category, skip_file_prefixes=(_PACKAGE_DIR,))
