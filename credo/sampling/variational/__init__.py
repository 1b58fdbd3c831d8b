"""Variational inference: ADVI, full-rank ADVI, Pathfinder, their optimisers and
callbacks, and Minibatch for large data."""

from credo.sampling.variational import callbacks
from credo.sampling.variational.approximations import Approximation, Empirical, FullRank, MeanField
from credo.sampling.variational.inference import ADVI, FullRankADVI, Inference, Minibatch, fit
from credo.sampling.variational.optimizers import (
    adadelta,
    adagrad,
    adagrad_window,
    adam,
    adamax,
    momentum,
    nesterov_momentum,
    rmsprop,
    sgd,
)

__all__ = [
    "ADVI",
    "FullRankADVI",
    "Inference",
    "Approximation",
    "MeanField",
    "FullRank",
    "Empirical",
    "Minibatch",
    "fit",
    "callbacks",
    "sgd",
    "momentum",
    "nesterov_momentum",
    "adagrad",
    "adagrad_window",
    "rmsprop",
    "adadelta",
    "adam",
    "adamax",
]
