"""examples/lotka_volterra.py runs end to end (a short run) and writes its plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def test_example_runs_and_plots(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from examples.lotka_volterra import main, starting_theta

    idata, summary = main(draws=100, tune=150, chains=2, out=tmp_path)
    assert (tmp_path / "populations.png").stat().st_size > 10_000
    assert "theta[alpha]" in summary.index and "sigma[lynx]" in summary.index
    assert idata["posterior"]["populations"].shape == (2, 100, 20, 2)
    # The start read off the data lies within the posterior's bulk (sd ~12% of the mean).
    theta = idata["posterior"]["theta"].values.reshape(-1, 4)
    assert np.all(np.abs(np.log(starting_theta() / theta.mean(axis=0))) < 0.5)
    assert "populations.png" in capsys.readouterr().out
