"""One definition per tutorial model: the benchmark's data and models are the tutorial
modules' own ``make_data`` and ``run(pm)`` (examples/tutorial), for credo and for PyMC."""

import sys
from pathlib import Path

import numpy as np
import pytest

from examples.tutorial import MODULES, load

BENCH = str(Path(__file__).resolve().parents[1] / "bench")
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)

import credo_models  # noqa: E402
import data as bench_data  # noqa: E402


def test_every_tutorial_module_is_benchmarked_in_order():
    assert [m.module for m in bench_data.MODELS] == list(MODULES)


@pytest.mark.parametrize("spec", bench_data.MODELS, ids=lambda s: s.name)
def test_bench_model_is_the_tutorial_definition(spec):
    frame = load(spec.module).make_data()
    arrays = spec.data()
    if hasattr(frame, "columns"):
        assert list(arrays) == list(frame.columns)
        for k in arrays:
            np.testing.assert_array_equal(arrays[k], frame[k].to_numpy())
    model = credo_models.build(spec.name)
    tutorial_model, _, _ = load(spec.module).run(pm=credo_models.tutorial_api(sample=False))
    assert list(model.named_vars) == list(tutorial_model.named_vars)
    assert set(spec.ess_vars) <= set(model.named_vars)


def test_pymc_side_builds_the_same_variables():
    pytest.importorskip("pymc")  # in .venv-anchors only
    import anchor_pymc

    for spec in bench_data.MODELS:
        model = anchor_pymc.build(spec.name)
        assert set(spec.ess_vars) <= set(model.named_vars), spec.name
