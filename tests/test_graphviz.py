"""model_to_graphviz: nodes, labels, shapes, edges traced through expressions, plates,
saving, and the fallback to DOT text without Graphviz's `dot` program."""

import re
import shutil

import graphviz
import numpy as np
import pytest

import credo as pm
from credo import graphviz as cg
from credo.errors import ModelError

HAVE_DOT = shutil.which("dot") is not None


# -- models ------------------------------------------------------------------------------------
def pooled_categorical_model() -> pm.Model:
    """The tutorial's hierarchical categorical regression (theano.shared(v) -> v)."""
    rng = np.random.default_rng(2025)
    x1 = rng.choice(5, size=100)
    x2 = rng.choice(4, p=[0.1, 0.2, 0.3, 0.4], size=100)
    y1_values = rng.normal(size=100)
    with pm.Model() as model:
        y1 = pm.Data("y1", y1_values)
        pooled_x2_mu = pm.Normal("pooled_x2_mu", 0, 1)
        pooled_x2_sigma = pm.Exponential("pooled_x2_sigma", lam=1)
        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=5)
        cat_x2 = pm.Normal("cat_x2", pooled_x2_mu, pooled_x2_sigma, shape=4)
        sigma = pm.Exponential("error", lam=1)
        mu = cat_x1[x1] + cat_x2[x2]
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return model


def path_analysis_model() -> pm.Model:
    rng = np.random.default_rng(2019)
    x1_values = rng.normal(10, 3, size=100)
    x2_values = 2 * x1_values + rng.normal(0, 0.1, size=100)
    y1_values = 5 * x2_values + rng.normal(0, 0.1, size=100)
    with pm.Model() as model:
        x1 = pm.Data("x1", x1_values)
        x2 = pm.Data("x2", x2_values)
        y1 = pm.Data("y1", y1_values)
        alpha_1 = pm.Normal("intercept_1", 0, 10)
        beta_1 = pm.Normal("coeff_1", 0, 2)
        sigma_1 = pm.Exponential("error_1", lam=1)
        alpha_2 = pm.Normal("intercept_2", 0, 10)
        beta_2 = pm.Normal("coeff_2", 0, 2)
        sigma_2 = pm.Exponential("error_2", lam=1)
        mu_1 = alpha_1 + beta_1 * x1
        x2_hat = pm.Normal("x2_hat", mu_1, sigma_1, observed=x2)
        mu_2 = alpha_2 + beta_2 * x2_hat
        pm.Normal("y_hat", mu_2, sigma_2, observed=y1)
    return model


def mixed_model() -> pm.Model:
    """Data, Deterministic, Potential, dims, a .dist() parameter and an observed expression."""
    idx = np.array([0, 1, 2, 0, 1, 2])
    with pm.Model(coords={"group": ["a", "b", "c"], "item": ["u", "v"]}) as model:
        x = pm.Data("x", np.linspace(0, 1, 6), dims="obs")
        y = pm.Data("y", np.linspace(1, 2, 6), dims="obs")
        tau = pm.Exponential("tau", 1.0)
        # An unregistered .dist() node as a parameter: tau -> scale through it.
        scale = pm.HalfNormal("scale", sigma=pm.Exponential.dist(lam=tau))
        a = pm.Normal("a", 0, scale, dims="group")
        b = pm.Normal("b", 0, 1)
        ab = pm.Normal("ab", 0, 1, dims=("group", "item"))
        w = pm.Normal("w", 0, 1, shape=(3, 2))
        mu = pm.Deterministic("mu", a[idx] + b * x, dims="obs")
        pm.Deterministic("total", ab.sum() + w.sum())
        pm.Potential("a_positive", pm.math.switch(a > 0, 0.0, -1.0), dims="group")
        # PyMC draws the observed expression's variables as parents too.
        pm.Normal("resid", 0, 1, observed=y - mu)
        pm.Normal("z", b, 1, observed=np.zeros(4))
    return model


# -- helpers -----------------------------------------------------------------------------------
_EDGE = re.compile(r"^\s*(\S+) -> (\S+)\s*$")


def source_edges(g: graphviz.Digraph) -> set[tuple[str, str]]:
    return {m.groups() for line in g.body for m in [_EDGE.match(line)] if m}


def clusters(g: graphviz.Digraph) -> dict[str, set[str]]:
    """Plate label -> node ids, read back from the Digraph's DOT text."""
    out: dict[str, set[str]] = {}
    label = None
    for line in g.source.splitlines():
        if line.strip().startswith("subgraph"):
            label = ""
        elif label == "" and "label=" in line:
            label = line.split("label=")[1].split(" labeljust")[0].strip('"')
            out[label] = set()
        elif line.strip() == "}":
            label = None
        elif label and "[label=" in line:
            out[label].add(line.strip().split(" [")[0].strip('"'))
    return out


# -- structure ---------------------------------------------------------------------------------
def test_pooled_categorical_nodes_labels_and_shapes():
    mg = cg.model_graph(pooled_categorical_model())
    assert list(mg.nodes) == [
        "y1",
        "pooled_x2_mu",
        "pooled_x2_sigma",
        "cat_x1",
        "cat_x2",
        "error",
        "y_hat",
    ]
    labels = {n: node.attrs["label"] for n, node in mg.nodes.items()}
    assert labels["cat_x2"] == "cat_x2\n~\nNormal"
    assert labels["error"] == "error\n~\nExponential"
    assert labels["y1"] == "y1\n~\nData"
    assert mg.nodes["y_hat"].attrs == {
        "label": "y_hat\n~\nNormal",
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "gray",
    }
    assert mg.nodes["cat_x1"].attrs == {"label": "cat_x1\n~\nNormal", "shape": "ellipse"}
    assert mg.nodes["y1"].attrs["shape"] == "box"
    assert "rounded" in mg.nodes["y1"].attrs["style"]
    assert "filled" in mg.nodes["y1"].attrs["style"]
    assert {n: node.role for n, node in mg.nodes.items()} == {
        "y1": "data",
        "pooled_x2_mu": "free",
        "pooled_x2_sigma": "free",
        "cat_x1": "free",
        "cat_x2": "free",
        "error": "free",
        "y_hat": "observed",
    }


def test_pooled_categorical_edges_and_plates():
    model = pooled_categorical_model()
    mg = cg.model_graph(model)
    expected = {
        ("pooled_x2_mu", "cat_x2"),
        ("pooled_x2_sigma", "cat_x2"),
        ("cat_x1", "y_hat"),
        ("cat_x2", "y_hat"),
        ("error", "y_hat"),
        ("y1", "y_hat"),
    }
    assert set(mg.edges) == expected
    assert len(mg.edges) == len(expected)
    assert mg.plates == {
        "100": ["y1", "y_hat"],
        "": ["pooled_x2_mu", "pooled_x2_sigma", "error"],
        "5": ["cat_x1"],
        "4": ["cat_x2"],
    }
    g = pm.model_to_graphviz(model)
    assert isinstance(g, graphviz.Digraph)
    assert source_edges(g) == expected
    assert clusters(g) == {"100": {"y1", "y_hat"}, "5": {"cat_x1"}, "4": {"cat_x2"}}


def test_path_analysis_edges_go_through_expressions_and_observed_data():
    mg = cg.model_graph(path_analysis_model())
    assert set(mg.edges) == {
        ("x1", "x2_hat"),
        ("intercept_1", "x2_hat"),
        ("coeff_1", "x2_hat"),
        ("error_1", "x2_hat"),
        ("x2", "x2_hat"),
        ("intercept_2", "y_hat"),
        ("coeff_2", "y_hat"),
        ("x2_hat", "y_hat"),
        ("error_2", "y_hat"),
        ("y1", "y_hat"),
    }
    assert sorted(mg.plates["100"]) == ["x1", "x2", "x2_hat", "y1", "y_hat"]
    assert sorted(mg.plates[""]) == [
        "coeff_1",
        "coeff_2",
        "error_1",
        "error_2",
        "intercept_1",
        "intercept_2",
    ]
    assert mg.nodes["x2_hat"].role == "observed"


def test_data_deterministic_potential_dims_and_dist_nodes():
    model = mixed_model()
    mg = cg.model_graph(model)
    assert set(mg.edges) == {
        ("tau", "scale"),  # through the unnamed Exponential.dist(lam=tau)
        ("scale", "a"),
        ("a", "mu"),
        ("b", "mu"),
        ("x", "mu"),
        ("ab", "total"),
        ("w", "total"),
        ("a", "a_positive"),
        ("y", "resid"),
        ("mu", "resid"),
        ("b", "z"),
    }
    attrs = {n: node.attrs for n, node in mg.nodes.items()}
    assert attrs["mu"] == {"label": "mu\n~\nDeterministic", "shape": "box"}
    assert attrs["total"]["shape"] == "box"
    assert attrs["a_positive"] == {"label": "a_positive\n~\nPotential", "shape": "octagon"}
    assert attrs["x"]["label"] == "x\n~\nData"
    assert attrs["resid"]["style"] == "filled"
    assert attrs["z"]["style"] == "filled"  # observed from a plain array: no data parent
    assert "style" not in attrs["tau"]
    assert mg.plates == {
        "obs (6)": ["x", "y", "mu"],
        "": ["tau", "scale", "b", "total"],
        "group (3)": ["a", "a_positive"],
        "group (3) x item (2)": ["ab"],
        "3 x 2": ["w"],
        "6": ["resid"],  # same length as obs, but no dims: its own plate
        "4": ["z"],
    }
    g = model.to_graphviz()
    assert clusters(g)["group (3) x item (2)"] == {"ab"}
    assert source_edges(g) == set(mg.edges)


def test_var_names_keeps_the_variables_and_their_ancestors():
    model = mixed_model()
    mg = cg.model_graph(model, var_names=["mu"])
    assert set(mg.nodes) == {"mu", "a", "b", "x", "scale", "tau"}
    assert set(mg.edges) == {
        ("tau", "scale"),
        ("scale", "a"),
        ("a", "mu"),
        ("b", "mu"),
        ("x", "mu"),
    }
    g = pm.model_to_graphviz(model, var_names=["b"])
    assert source_edges(g) == set()
    assert "b [label=" in g.source and "tau" not in g.source
    with pytest.raises(KeyError, match="nope"):
        cg.model_graph(model, var_names=["nope"])


def test_model_from_context_and_errors():
    model = path_analysis_model()
    with model:
        g = pm.model_to_graphviz()
    assert source_edges(g) == set(cg.model_graph(model).edges)
    with pytest.raises(ModelError):
        pm.model_to_graphviz()
    with pytest.raises(ValueError, match="formatting"):
        pm.model_to_graphviz(model, formatting="fancy")
    with pytest.warns(UserWarning, match="plain"):
        pm.model_to_graphviz(model, formatting="plain_with_params")


def test_submodel_names_with_colons_are_safe_node_ids():
    with pm.Model() as model:
        a = pm.Normal("a", 0, 1)
        with pm.Model("inner"):
            b = pm.Normal("b", a, 1)
        pm.Normal("c", b, 1, observed=np.zeros(3))
    mg = cg.model_graph(model)
    assert set(mg.edges) == {("a", "inner::b"), ("inner::b", "c")}
    g = model.to_graphviz()
    assert "inner::b\n~\nNormal" in g.source
    assert all(":" not in end for edge in source_edges(g) for end in edge)
    if HAVE_DOT:
        svg = g.pipe(format="svg").decode()
        assert svg.count('class="edge"') == 2


def test_scalar_only_model_has_no_plates():
    with pm.Model() as model:
        p = pm.Beta("a", 1, 1)
        pm.Binomial("likelihood", n=10, p=p, observed=8)
    mg = cg.model_graph(model)
    assert mg.plates == {"": ["a", "likelihood"]}
    assert mg.edges == [("a", "likelihood")]
    assert "subgraph" not in model.to_graphviz().source


# -- saving ------------------------------------------------------------------------------------
@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot program is not installed")
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_save_image_when_dot_exists(tmp_path, suffix, magic):
    model = pooled_categorical_model()
    path = tmp_path / f"model{suffix}"
    g = pm.model_to_graphviz(model, save=str(path), figsize=(4, 3), dpi=72)
    assert isinstance(g, graphviz.Digraph)
    assert path.read_bytes().startswith(magic)
    assert "dpi" not in g.source  # only the saved copy carries size and dpi
    assert not list(tmp_path.glob("*.dot"))


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot program is not installed")
def test_render_graph_writes_png(tmp_path):
    out = cg.render_graph(path_analysis_model(), tmp_path / "paths.png")
    assert out == tmp_path / "paths.png"
    assert out.read_bytes().startswith(b"\x89PNG")
    no_suffix = cg.render_graph(path_analysis_model(), tmp_path / "paths2")
    assert no_suffix.suffix == ".png" and no_suffix.exists()


def test_save_dot_text_needs_no_dot(tmp_path, monkeypatch):
    monkeypatch.setattr(cg.shutil, "which", lambda name: None)
    path = tmp_path / "model.dot"
    g = pm.model_to_graphviz(mixed_model(), save=path, figsize=(5, 4), dpi=100)
    text = path.read_text()
    assert text.startswith("digraph")
    assert 'size="5,4!"' in text and "dpi=100" in text
    assert source_edges(g) <= {m.groups() for m in map(_EDGE.match, text.splitlines()) if m}


def _check_fallback(tmp_path, call):
    with pytest.warns(cg.GraphvizNotFoundWarning) as record:
        out = call()
    message = str(record[0].message)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install"):
        assert hint in message
    assert out == tmp_path / "model.dot"
    assert out.read_text().startswith("digraph")
    assert "y_hat -> " not in out.read_text() and "-> y_hat" in out.read_text()
    assert not (tmp_path / "model.png").exists()
    assert issubclass(cg.GraphvizNotFoundWarning, UserWarning)


def test_missing_dot_writes_dot_text_and_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(cg.shutil, "which", lambda name: None)
    model = pooled_categorical_model()
    _check_fallback(tmp_path, lambda: cg.render_graph(model, tmp_path / "model.png"))

    def via_save():
        pm.model_to_graphviz(model, save=tmp_path / "model.png")
        return tmp_path / "model.dot"

    (tmp_path / "model.dot").unlink()
    _check_fallback(tmp_path, via_save)


def test_missing_dot_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    model = pooled_categorical_model()
    _check_fallback(tmp_path, lambda: cg.render_graph(model, tmp_path / "model.png"))


def test_dot_vanishing_at_render_time_falls_back(tmp_path, monkeypatch):
    def no_dot(self, *args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(cg.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    model = pooled_categorical_model()
    _check_fallback(tmp_path, lambda: cg.render_graph(model, tmp_path / "model.png"))


def test_exported_from_credo():
    assert pm.model_to_graphviz is cg.model_to_graphviz
    assert "model_to_graphviz" in pm.__all__
