"""Step methods with PyMC's names and arguments, and their assignment to a model's variables.

A step method names the free variables it updates and its settings; ``pm.sample(step=...)``
takes one or a list (or a :class:`CompoundStep`), assigns every variable no step names by
PyMC's rules (continuous: NUTS; Bernoulli and two-category Categorical:
BinaryGibbsMetropolis; other Categorical: CategoricalGibbsMetropolis; other discrete:
Metropolis) and runs all blocks in turn inside one compiled loop per chain
(:mod:`credo.inference.compound`). The classes only describe; the kernels are in
``credo.inference``.
"""

# The names are listed once, in each module's __all__.
from credo.sampling.step_methods import driver, methods
from credo.sampling.step_methods.driver import *  # noqa: F403
from credo.sampling.step_methods.methods import *  # noqa: F403

__all__ = [*methods.__all__, *driver.__all__]
