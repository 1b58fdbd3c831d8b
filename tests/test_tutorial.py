"""The PyMC3 regression tutorial (examples/tutorial): every model builds as the tutorial writes
it, samples, and reaches the tutorial's conclusion; the report's HTML is self-contained.

Sampling uses fixed seeds and fewer draws than the tutorial where the conclusion still holds
by a clear margin (see FEWER); each model is sampled once per session and shared by the tests.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from credo.graphviz import model_graph
from examples.tutorial import MODULES, load
from examples.tutorial.common import mcse, post, tutorial_api

SEED = 20240611
FEWER = {"draws": 400, "tune": 600}
# The slowest to sample: x is almost a multiple of z (fork), x2 almost 3 x1 (combined), so
# the posteriors are long thin ridges and NUTS runs to its maximum tree depth.
SLOW = {"m08_fork", "m11_combined_confounds"}


@functools.cache
def fit(name: str):
    """(model, trace, data) of a tutorial module, sampled with FEWER draws and SEED."""
    return load(name).run(pm=tutorial_api(random_seed=SEED, progressbar=False, **FEWER))


def _params(names):
    return [
        pytest.param(n, marks=pytest.mark.slow) if n in SLOW else pytest.param(n) for n in names
    ]


@pytest.mark.parametrize("name", MODULES)
def test_model_builds_with_finite_logp(name):
    model, trace, _ = load(name).run(pm=tutorial_api(sample=False))
    assert trace is None
    logps = model.point_logps()
    assert logps, name
    bad = {k: v for k, v in logps.items() if not np.isfinite(v)}
    assert not bad, f"{name}: non-finite log-densities at the initial point {bad}"


@pytest.mark.parametrize("name", _params(MODULES))
def test_conclusion_holds(name):
    _, trace, _ = fit(name)
    assert int(trace["sample_stats"]["diverging"].values.sum()) == 0
    holds, sentence = load(name).check(trace)
    assert holds, f"{name}: {sentence}"


def test_run_passes_the_tutorial_sample_arguments(monkeypatch):
    import credo

    calls = []

    @functools.wraps(credo.sample)  # the same signature, for the stand-in's argument binding
    def record(*args, **kwargs):
        calls.append((args, kwargs))

    monkeypatch.setattr(credo, "sample", record)
    load("m08_fork").run()  # pm is credo itself
    load("m08_fork").run(pm=tutorial_api(random_seed=3, draws=10))
    assert calls == [
        ((500,), {"tune": 1500, "chains": 2, "cores": 2, "target_accept": 0.95}),
        (
            (),
            {
                "draws": 10,
                "tune": 1500,
                "chains": 2,
                "cores": 2,
                "target_accept": 0.95,
                "random_seed": 3,
            },
        ),
    ]


def test_heterogeneity_recovers_the_cell_effects():
    module = load("m15_heterogeneity")
    _, trace, data = fit("m15_heterogeneity")
    ab = post(trace, "ab_did")
    assert ab.shape[2:] == (3, 2)
    mean = ab.mean(("chain", "draw")).values
    sd = ab.std(("chain", "draw")).values
    np.testing.assert_array_less(np.abs(mean - module.BETA3), 3 * sd)
    # With 12 to 22 rows per cell and noise 0.1, each cell is its rows' mean.
    cell_means = data.groupby(["x1", "x2"])["y1"].mean().unstack().to_numpy()
    np.testing.assert_allclose(mean, cell_means, atol=0.03)
    # The Deterministics computed from the packed Cholesky factor [l00, l10, l11].
    chol = post(trace, "chol_cov").values
    sigma_ab = post(trace, "sigma_ab").values
    rho = post(trace, "Rho").values
    np.testing.assert_allclose(sigma_ab[..., 0], np.abs(chol[..., 0]), rtol=1e-10)
    np.testing.assert_allclose(sigma_ab[..., 1], np.hypot(chol[..., 1], chol[..., 2]), rtol=1e-10)
    np.testing.assert_allclose(rho[..., 0], chol[..., 1] / sigma_ab[..., 1], rtol=1e-8)


def test_bernoulli_probabilities_and_diff():
    module = load("m16_bernoulli_treatment")
    _, trace, data = fit("m16_bernoulli_treatment")
    prob = post(trace, "treatment effect")
    diff = post(trace, "diff")
    assert prob.shape[2:] == (3, 2) and diff.shape[2:] == (3,)
    exact = module.conjugate_means(data)
    mean = prob.mean(("chain", "draw")).values
    np.testing.assert_array_less(np.abs(mean - exact), 4 * mcse(prob))
    np.testing.assert_allclose(mean, module.BETA3, atol=0.025)
    np.testing.assert_allclose(diff.values, prob.values[..., 1] - prob.values[..., 0])
    d = diff.mean(("chain", "draw")).values
    assert d[0] > 0 > d[1]
    assert abs(d[2]) < 3 * float(diff[..., 2].std())


def test_pooled_model_graph():
    model, _, _ = load("m13_pooled_categorical").run(pm=tutorial_api(sample=False))
    graph = model_graph(model)
    assert set(graph.nodes) == {
        "y1",
        "pooled_x2_mu",
        "pooled_x2_sigma",
        "cat_x1",
        "cat_x2",
        "error",
        "y_hat",
    }
    assert set(graph.edges) == {
        ("pooled_x2_mu", "cat_x2"),
        ("pooled_x2_sigma", "cat_x2"),
        ("cat_x1", "y_hat"),
        ("cat_x2", "y_hat"),
        ("error", "y_hat"),
        ("y1", "y_hat"),
    }
    plates = {label: set(names) for label, names in graph.plates.items()}
    assert plates == {
        "": {"pooled_x2_mu", "pooled_x2_sigma", "error"},
        "5": {"cat_x1"},
        "4": {"cat_x2"},
        "100": {"y1", "y_hat"},
    }
    roles = {name: node.role for name, node in graph.nodes.items()}
    assert roles["y1"] == "data" and roles["y_hat"] == "observed"
    assert roles["cat_x2"] == "free"


def test_path_analysis_graph_links_the_two_regressions():
    # x2_hat, observed, feeds y_hat's mean: the chain x1 -> x2 -> y1 of the tutorial's figure.
    model, _, _ = load("m06_path_analysis").run(pm=tutorial_api(sample=False))
    edges = set(model_graph(model).edges)
    assert ("x2_hat", "y_hat") in edges and ("x2", "x2_hat") in edges
    assert ("x1", "x2_hat") in edges and ("y1", "y_hat") in edges


def _referenced(text: str, pattern: str) -> list[str]:
    refs = re.findall(pattern, text)
    return [r for r in refs if not r.startswith(("#", "http://", "https://", "data:"))]


def test_demo_report_references_only_existing_files(tmp_path):
    from examples.tutorial import demo

    out = tmp_path / "report"
    console = Console(file=io.StringIO(), width=120)
    status = demo.main(
        ["--models", "1,13", "--out", str(out), "--quick", "--no-compile-cache", "--jobs", "1"],
        console=console,
    )
    printed = console.file.getvalue()
    assert "example" in printed and "pooled_categorical_model" in printed
    assert str(out / "index.html") in printed
    assert status in (0, 1)  # --quick draws are not meant to settle the conclusions
    page = (out / "index.html").read_text()
    assert 'id="m01"' in page and 'id="m13"' in page
    refs = _referenced(page, r'(?:src|href)="([^"]+)"')
    assert len(refs) >= 4  # two trace plots and two graphs
    for ref in refs:
        assert (out / ref).is_file(), ref
    md = (out / "README.md").read_text()
    md_refs = _referenced(md, r"\]\(([^)]+)\)")
    assert len(md_refs) >= 4
    for ref in md_refs:
        assert (out / ref).is_file(), ref
    assert "with pm.Model() as pooled_categorical_model:" in md


def test_tutorial_code_is_the_with_block():
    from examples.tutorial.report import data_code, tutorial_code

    code = tutorial_code(load("m15_heterogeneity"))
    assert code.startswith("with pm.Model() as heterogenous_model:")
    assert code.rstrip().endswith(
        "trace_heterogenous = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)"
    )
    assert "pm.LKJCholeskyCov('chol_cov', eta=2, n=2, sd_dist=sigma)" in code
    assert data_code(load("m15_heterogeneity")).startswith("np.random.seed(2025)")
    assert data_code(load("m01_sum_of_two")) == ""


def test_every_module_records_what_the_report_needs():
    for name in MODULES:
        module = load(name)
        for attr in ("TITLE", "NAME", "CLAIM", "TRUTH", "make_data", "run", "check"):
            assert hasattr(module, attr), (name, attr)
        assert module.check.__doc__, name  # the report shows it as the criterion
        assert Path(module.__file__).name == f"{name}.py"


@pytest.mark.slow
def test_demo_in_worker_processes_keeps_the_tutorial_order(tmp_path):
    from examples.tutorial import demo

    out = tmp_path / "report"
    console = Console(file=io.StringIO(), width=120)
    demo.main(
        ["--models", "2,1", "--out", str(out), "--quick", "--no-compile-cache", "--jobs", "2"],
        console=console,
    )
    page = (out / "index.html").read_text()
    assert page.index('id="m02"') < page.index('id="m01"')  # the order asked for
    for ref in _referenced(page, r'(?:src|href)="([^"]+)"'):
        assert (out / ref).is_file(), ref
