"""The arrows point one way. Parsed from the source (every import, also those inside
functions; only ``if TYPE_CHECKING:`` blocks are exempt, as they never run):

- no import cycle among credo's modules (a package counts as imported with its modules);
- the kernels in ``credo.inference`` know only a log-density and a position: they import
  nothing of credo outside ``credo.inference`` but the errors;
- the model layer (``credo.model``: Model, lazy tensors, math) imports nothing of credo but
  itself, the errors and the special functions; the layers below it install what it calls;
- the drivers (``credo.sampling``: sample, predictive, step methods, find_MAP, fit, SMC) are
  imported by no layer below them: only the package root and ``credo.marginal``
  (``recover_marginals`` works on a posterior) use them;
- no module imports the package root ``credo`` (it imports everything).
"""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "credo"
INFERENCE_MAY_IMPORT = ("credo.inference", "credo.errors")
MODEL_MAY_IMPORT = ("credo.model", "credo.errors", "credo.special")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def _runtime_nodes(tree: ast.AST):
    """All nodes but those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _owner(name: str) -> str:
    """The credo module that ``name`` (a module or a name in one) lives in."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str) -> set[str]:
    """The credo modules ``module`` imports, with the packages that importing them runs."""
    direct = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            direct |= {_owner(a.name) for a in node.names if a.name.split(".")[0] == "credo"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "credo":
                continue
            for a in node.names:
                full = f"{node.module}.{a.name}"
                direct.add(full if full in MODULES else _owner(node.module))
    out = set()
    for dep in direct:
        parts = dep.split(".")
        # Importing a.b.c runs the packages a.b (a is the root, imported by all).
        for i in range(2, len(parts) + 1):
            pkg = ".".join(parts[:i])
            if not module.startswith(pkg + ".") and pkg != module:
                out.add(pkg)
    return out


GRAPH = {m: _imports(m) for m in MODULES}


def test_no_import_cycle():
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> None:
        if m in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(m) :] + [m]))
        if m in done:
            return
        for dep in sorted(GRAPH[m]):
            visit(dep, path + [m])
        done.add(m)

    for m in sorted(GRAPH):
        visit(m, [])


def test_inference_never_imports_the_model_layer():
    for m, deps in GRAPH.items():
        if m.startswith("credo.inference"):
            bad = {d for d in deps if not d.startswith(INFERENCE_MAY_IMPORT)}
            assert not bad, f"{m} imports {sorted(bad)}"


def test_the_model_layer_imports_only_itself():
    for m, deps in GRAPH.items():
        if m == "credo.model" or m.startswith("credo.model."):
            bad = {d for d in deps if not d.startswith(MODEL_MAY_IMPORT)}
            assert not bad, f"{m} imports {sorted(bad)}"


def test_nothing_below_the_drivers_imports_them():
    may = {"credo", "credo.marginal"}
    for m, deps in GRAPH.items():
        if m in may or m.startswith("credo.sampling"):
            continue
        bad = {d for d in deps if d.startswith("credo.sampling")}
        assert not bad, f"{m} imports the drivers {sorted(bad)}"


def test_no_module_imports_the_package_root():
    for m, path in MODULES.items():
        if m == "credo":
            continue
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert all(a.name != "credo" for a in node.names), f"{m} imports credo"
            elif isinstance(node, ast.ImportFrom) and node.module == "credo" and node.level == 0:
                roots = [a.name for a in node.names if f"credo.{a.name}" not in MODULES]
                assert not roots, f"{m} imports {roots} from the package root"
