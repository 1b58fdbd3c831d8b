"""Continuous univariate distributions, one module per family; this module gathers them.

Log-densities match ``scipy.stats``. Each ``logp`` is normalised; the support and parameter
checks (value outside the support -> ``-inf``) are applied by
:meth:`Distribution.checked_logp`, so a ``logp`` only has to be right inside the support.
"""

from credo.distributions.bounded import *  # noqa: F403
from credo.distributions.bounded import __all__ as _bounded
from credo.distributions.normal import *  # noqa: F403
from credo.distributions.normal import __all__ as _normal
from credo.distributions.positive import *  # noqa: F403
from credo.distributions.positive import __all__ as _positive
from credo.distributions.real_line import *  # noqa: F403
from credo.distributions.real_line import __all__ as _real_line
from credo.distributions.student import *  # noqa: F403
from credo.distributions.student import __all__ as _student

__all__ = [*_normal, *_student, *_positive, *_bounded, *_real_line]
