"""A live progress bar for sampling (rich): draws done, divergences, step size, speed.

Shown only when asked for and when output goes to a terminal or a notebook.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["SamplingProgress", "interactive"]


def interactive() -> bool:
    """True in a terminal or a Jupyter kernel."""
    try:
        if sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules


class SamplingProgress:
    """Context manager wrapping a rich Progress; ``update(info)`` is the runner's callback.

    ``info`` keys (from ``credo.inference.runner.run_chains``): ``iteration``, ``total``,
    ``divergences``, ``step_size``, ``iterations_per_second``, ``tuning`` (bool).
    """

    def __init__(self, chains: int, tune: int, draws: int, enabled: bool = True) -> None:
        self.enabled = bool(enabled) and interactive()
        self.total = tune + draws
        self.chains = chains
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> SamplingProgress:
        if not self.enabled:
            return self
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]Sampling {task.fields[chains]} chains[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[phase]}"),
            TextColumn("divergences {task.fields[div]}"),
            TextColumn("step {task.fields[step]}"),
            TextColumn("{task.fields[speed]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._progress.__enter__()
        self._task = self._progress.add_task(
            "sampling",
            total=self.total,
            chains=self.chains,
            phase="compiling",
            div=0,
            step="-",
            speed="",
        )
        return self

    def update(self, info: dict[str, Any]) -> None:
        if self._progress is None:
            return
        done = int(info.get("iteration", 0))
        speed = info.get("iterations_per_second")
        self._progress.update(
            self._task,
            completed=done,
            phase="tuning" if info.get("tuning", False) else "drawing",
            div=int(info.get("divergences", 0)),
            step=f"{float(info.get('step_size', float('nan'))):.3g}",
            speed=f"{speed:.0f} it/s" if speed and speed != float("inf") else "",
        )

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None
