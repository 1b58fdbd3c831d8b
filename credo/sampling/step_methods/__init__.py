"""Step methods with PyMC's names and arguments, and their assignment to a model's variables.

A step method names the free variables it updates and its settings; ``pm.sample(step=...)``
takes one or a list (or a :class:`CompoundStep`), assigns every variable no step names by
PyMC's rules (continuous: NUTS; Bernoulli and two-category Categorical:
BinaryGibbsMetropolis; other Categorical: CategoricalGibbsMetropolis; other discrete:
Metropolis) and runs all blocks in turn inside one compiled loop per chain
(:mod:`credo.inference.compound`). The classes only describe; the kernels are in
``credo.inference``.
"""

from credo.sampling.step_methods.driver import (
    assign_step_methods,
    describe,
    run_steps,
    start_positions,
)
from credo.sampling.step_methods.methods import (
    NUTS,
    BinaryGibbsMetropolis,
    BinaryMetropolis,
    BlockedStep,
    CategoricalGibbsMetropolis,
    CauchyProposal,
    CompoundStep,
    DEMetropolis,
    DEMetropolisZ,
    HamiltonianMC,
    LaplaceProposal,
    Metropolis,
    MultivariateNormalProposal,
    NormalProposal,
    Slice,
    UniformProposal,
)

__all__ = [
    "NUTS",
    "BinaryGibbsMetropolis",
    "BinaryMetropolis",
    "BlockedStep",
    "CategoricalGibbsMetropolis",
    "CauchyProposal",
    "CompoundStep",
    "DEMetropolis",
    "DEMetropolisZ",
    "HamiltonianMC",
    "LaplaceProposal",
    "Metropolis",
    "MultivariateNormalProposal",
    "NormalProposal",
    "Slice",
    "UniformProposal",
    "assign_step_methods",
    "describe",
    "run_steps",
    "start_positions",
]
