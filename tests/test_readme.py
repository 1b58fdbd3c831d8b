"""The README's quick start runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_runs():
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no python block"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    idata = namespace["idata"]
    post = idata["posterior"]
    assert post["u"].shape == (2, 1000, 3)
    # The slopes of the three groups are recovered: 0.5, 1.0, 1.5.
    u = post["u"].mean(("chain", "draw")).values
    assert abs(u[0] - 0.5) < 0.1 and abs(u[1] - 1.0) < 0.1 and abs(u[2] - 1.5) < 0.1
