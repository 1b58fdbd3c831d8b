import os

import jax

# Double precision unless the single-precision smoke run asked for float32 (tests/float32).
if os.environ.get("CREDO_FLOAT32", "0") != "1":
    jax.config.update("jax_enable_x64", True)
os.environ.setdefault("MPLBACKEND", "Agg")

try:
    from hypothesis import settings

    settings.register_profile("credo", deadline=None, max_examples=25, derandomize=True)
    settings.load_profile("credo")
except ImportError:  # pragma: no cover
    pass
