"""The distribution catalogue."""

from credo.distributions import constraints, transforms
from credo.distributions.base import Continuous, Discrete, Distribution
from credo.distributions.compositional import *  # noqa: F403
from credo.distributions.compositional import __all__ as _compositional
from credo.distributions.continuous import *  # noqa: F403
from credo.distributions.continuous import __all__ as _cont
from credo.distributions.counts import *  # noqa: F403
from credo.distributions.counts import __all__ as _counts
from credo.distributions.custom import *  # noqa: F403
from credo.distributions.custom import __all__ as _custom
from credo.distributions.discrete import *  # noqa: F403
from credo.distributions.discrete import __all__ as _disc
from credo.distributions.functions import draw, icdf, logcdf, logp
from credo.distributions.hurdle import *  # noqa: F403
from credo.distributions.hurdle import __all__ as _hurdle
from credo.distributions.matrix import *  # noqa: F403
from credo.distributions.matrix import __all__ as _matrix
from credo.distributions.mixture import *  # noqa: F403
from credo.distributions.mixture import __all__ as _mixture
from credo.distributions.multivariate import *  # noqa: F403
from credo.distributions.multivariate import __all__ as _mv
from credo.distributions.timeseries import *  # noqa: F403
from credo.distributions.timeseries import __all__ as _timeseries
from credo.distributions.wrappers import *  # noqa: F403
from credo.distributions.wrappers import __all__ as _wrappers
from credo.distributions.zerosum import *  # noqa: F403
from credo.distributions.zerosum import __all__ as _zerosum

__all__ = [
    "Distribution",
    "Continuous",
    "Discrete",
    "transforms",
    "constraints",
    "logp",
    "logcdf",
    "icdf",
    "draw",
    *_cont,
    *_disc,
    *_counts,
    *_mv,
    *_compositional,
    *_matrix,
    *_mixture,
    *_hurdle,
    *_wrappers,
    *_timeseries,
    *_zerosum,
    *_custom,
]
