"""Build ArviZ (>= 1) InferenceData, an ``xarray.DataTree``, from draws and a model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from credo._version import __version__

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
    """arviz-base's ``from_dict``: (chain, draw) leading the sampled groups, none in the
    ``*data`` groups, ``<name>_dim_<i>`` for axes without a dim; credo as creation library."""
    from arviz_base import from_dict

    group_attrs = {
        "creation_library": "credo",
        "creation_library_version": __version__,
        "creation_library_language": "Python",
        **attrs,
    }
    return from_dict(
        data,
        sample_dims=["chain", "draw"],
        save_warmup=True,
        index_origin=0,
        coords=coords,
        dims=dims,
        pred_coords=coords,
        pred_dims=dims,
        attrs={**{g: dict(group_attrs) for g in data}, "/": dict(attrs)},
    )


def _consistent_dims(
    data: dict[str, dict[str, np.ndarray]], coords: dict[str, Any], dims: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Dims of variables whose arrays fit them in every group (after ``set_data`` an array
    may no longer match its coordinates: it gets ``<name>_dim_<i>`` then)."""
    out = dict(dims)
    for gname, vars_ in data.items():
        lead = 2 if gname in _SAMPLE_GROUPS else 0
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
