"""Build ArviZ (>= 1) InferenceData, an ``xarray.DataTree``, from draws and a model."""

from __future__ import annotations

from typing import Any

import arviz as az
import numpy as np
import xarray as xr

__all__ = ["to_inference_data", "model_coords_dims", "save_trace", "load_trace"]


def model_coords_dims(model: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The model's coords (those with values) and each variable's dims.

    Axes without a dim name get ArviZ's default ``<name>_dim_<i>``.
    """
    coords = {k: list(v) for k, v in model.coords.items() if v is not None}
    dims: dict[str, list[str]] = {}
    for name in model.named_vars:
        vd = model.named_vars_to_dims.get(name)
        if vd is None:
            continue
        dims[name] = [d if d is not None else f"{name}_dim_{i}" for i, d in enumerate(vd)]
    return coords, dims


def to_inference_data(
    model: Any,
    groups: dict[str, dict[str, Any]],
    *,
    attrs: dict[str, Any] | None = None,
    sample_dims_free: tuple[str, ...] = ("chain", "draw"),
) -> xr.DataTree:
    """Assemble InferenceData from ``{group: {var: array}}`` with the model's coords/dims.

    Sampled groups (posterior, sample_stats, prior, predictive, log_likelihood) have
    leading ``(chain, draw)`` axes; observed_data / constant_data have none.
    """
    coords, dims = model_coords_dims(model)
    data: dict[str, dict[str, np.ndarray]] = {}
    for gname, vars_ in groups.items():
        if vars_:
            data[gname] = {k: np.asarray(v) for k, v in vars_.items()}
    # Coordinates that disagree with an array's length (e.g. after set_data) are dropped
    # for that variable's dims rather than failing.
    dims = _consistent_dims(data, coords, dims)
    group_attrs = {g: dict(attrs or {}) for g in data}
    idata = az.from_dict(
        data, coords=coords, dims=dims, attrs=group_attrs, check_conventions=False
    )
    if attrs:
        idata.attrs.update(attrs)
    return idata


def _consistent_dims(
    data: dict[str, dict[str, np.ndarray]], coords: dict[str, Any], dims: dict[str, list[str]]
) -> dict[str, list[str]]:
    sample_groups = {
        "posterior",
        "sample_stats",
        "prior",
        "prior_predictive",
        "posterior_predictive",
        "predictions",
        "log_likelihood",
        "warmup_posterior",
        "warmup_sample_stats",
    }
    out = dict(dims)
    for gname, vars_ in data.items():
        lead = 2 if gname in sample_groups else 0
        for name, arr in vars_.items():
            vd = dims.get(name)
            if vd is None:
                continue
            shape = arr.shape[lead:]
            if len(shape) != len(vd) or any(
                d in coords and len(coords[d]) != n for d, n in zip(vd, shape)
            ):
                out.pop(name, None)
    return out


def save_trace(idata: xr.DataTree, path: str) -> str:
    """Write InferenceData to NetCDF (h5netcdf engine). Reload with :func:`load_trace`."""
    idata.to_netcdf(path, engine="h5netcdf")
    return path


def load_trace(path: str) -> xr.DataTree:
    """Read InferenceData written by :func:`save_trace` (or ``idata.to_netcdf``)."""
    tree = xr.open_datatree(path, engine="h5netcdf")
    return tree.load()
