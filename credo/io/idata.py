"""Build ArviZ (>= 1) InferenceData, an ``xarray.DataTree``, from draws and a model."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
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
    return _build_tree(data, coords, dims, attrs or {})


_SAMPLE_GROUPS = {
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


def _build_tree(
    data: dict[str, dict[str, np.ndarray]],
    coords: dict[str, Any],
    dims: dict[str, list[str]],
    attrs: dict[str, Any],
) -> xr.DataTree:
    """The DataTree ArviZ's ``from_dict`` would give, built with xarray alone (importing
    ArviZ costs more than sampling a small model). Group attrs follow ArviZ's."""
    import xarray as xr

    from credo import __version__

    created = datetime.datetime.now(datetime.UTC).isoformat()
    groups: dict[str, xr.Dataset] = {}
    for gname, vars_ in data.items():
        sample_dims = ["chain", "draw"] if gname in _SAMPLE_GROUPS else []
        lead = len(sample_dims)
        variables = {}
        used_coords: dict[str, Any] = {}
        for name, arr in vars_.items():
            extra = arr.shape[lead:]
            vd = list(dims.get(name, []))
            if len(vd) != len(extra):
                vd = [f"{name}_dim_{i}" for i in range(len(extra))]
            all_dims = sample_dims + vd
            for d, n in zip(all_dims, arr.shape):
                if d in coords and len(coords[d]) == n:
                    used_coords[d] = np.asarray(coords[d])
                else:
                    used_coords.setdefault(d, np.arange(n))
            variables[name] = (all_dims, arr)
        ds_attrs = {
            "created_at": created,
            "creation_library": "credo",
            "creation_library_version": __version__,
            "creation_library_language": "Python",
            "sample_dims": sample_dims,
        }
        ds_attrs.update(attrs)
        groups[gname] = xr.Dataset(variables, coords=used_coords, attrs=ds_attrs)
    tree = xr.DataTree.from_dict(groups)
    tree.attrs.update(attrs)
    return tree


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
    import xarray as xr

    tree = xr.open_datatree(path, engine="h5netcdf")
    return tree.load()
