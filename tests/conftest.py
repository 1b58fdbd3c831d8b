import os

import jax

jax.config.update("jax_enable_x64", True)
os.environ.setdefault("MPLBACKEND", "Agg")

try:
    from hypothesis import settings

    settings.register_profile("credo", deadline=None, max_examples=25, derandomize=True)
    settings.load_profile("credo")
except ImportError:  # pragma: no cover
    pass
