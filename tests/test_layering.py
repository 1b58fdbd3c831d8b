"""The arrows point one way: the kernels in credo.inference know only a log-density and a
position, never the model layer."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "credo"
MODEL_LAYER = {
    "credo.model",
    "credo.distributions",
    "credo.compile",
    "credo.tensor",
    "credo.sampling",
    "credo.graph",
    "credo.io",
    "credo.math",
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_inference_never_imports_the_model_layer():
    for path in (PKG / "inference").glob("*.py"):
        bad = {
            name
            for name in _imports(path)
            if any(name == m or name.startswith(m + ".") for m in MODEL_LAYER)
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"
