"""Finding missing observations (NaN entries or a numpy mask) in observed data.

The model layer uses this to recognise data to impute; the imputation itself (new free
variables and the joined Deterministic) lives in :mod:`credo.missing`, beside the
distributions it builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from credo.model import tensor as T

__all__ = ["ImputationWarning", "MissingData", "find_missing"]


class ImputationWarning(UserWarning):
    """Observed data have missing entries, which are imputed as free variables."""


@dataclass
class MissingData:
    """Observed data with missing entries, as ``Model.prepare_observed`` found them.

    ``values``: the data with the missing entries filled (by 0), ``mask``: True where an
    entry is missing, ``node``: the Data container they came from, if any.
    """

    values: np.ndarray
    mask: np.ndarray
    node: T.TensorVariable | None = None


def find_missing(name: str, observed: Any) -> MissingData | None:
    """A :class:`MissingData` if ``observed`` (array, masked array or Data) has missing
    entries, else None."""
    node = None
    if isinstance(observed, T.TensorVariable):
        if observed.kind != T.DATA:
            return None
        node = observed
        observed = observed.value
    if isinstance(observed, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(observed)
        if not mask.any():
            return None
        values = np.asarray(observed.filled(0))
    else:
        arr = np.asarray(observed)
        if arr.dtype.kind not in "fc":
            return None
        mask = np.isnan(arr)
        if not mask.any():
            return None
        values = np.where(mask, 0, arr)
    if values.dtype.kind == "b":
        values = values.astype(np.int64)
    return MissingData(values, mask, node)
