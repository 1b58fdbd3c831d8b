"""posteriordb reference posteriors, written as credo models and checked against the references.

The JSON files (model description, data, reference summaries) are not part of this
repository: they are read at run time from the folder named by the environment variable
``CREDO_POSTERIORDB``, or else from ``shared/posteriordb`` next to the repository (or next to
any folder above it). See ``models.py`` for the models, ``compare.py`` for the pass criterion
and ``run.py`` for the runner that writes ``docs/posteriordb.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "find_posteriordb", "load_posterior", "posterior_names"]

ENV_VAR = "CREDO_POSTERIORDB"


def find_posteriordb() -> Path | None:
    """The folder holding the ``<posterior>.json`` files, or None when there is none.

    ``CREDO_POSTERIORDB`` wins when set (and must then exist); otherwise the first
    ``<parent>/shared/posteriordb`` above this file, which finds ``../shared/posteriordb``
    beside the repository.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "posteriordb"
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return None


def posterior_names(root: Path | None = None) -> list[str]:
    """Names of the posteriors present (file stems), sorted."""
    root = root or find_posteriordb()
    if root is None:
        return []
    return sorted(p.stem for p in root.glob("*.json"))


def load_posterior(name: str, root: Path | None = None) -> dict[str, Any]:
    """The parsed JSON of one posterior: keys name, family, source, model, data, reference."""
    root = root or find_posteriordb()
    if root is None:
        raise FileNotFoundError(
            f"posteriordb folder not found: set {ENV_VAR} or put it at ../shared/posteriordb"
        )
    with open(root / f"{name}.json") as fh:
        return json.load(fh)
