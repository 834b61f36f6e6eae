"""Optimizers: SGD, Adagrad, Adadelta, RMSprop, Adam (all with clipvalue/clipnorm/global_clipnorm)."""
from nnkit.optimizers.adadelta import Adadelta
from nnkit.optimizers.adagrad import Adagrad
from nnkit.optimizers.adam import Adam
from nnkit.optimizers.base import OPTIMIZERS, Optimizer, get
from nnkit.optimizers.rmsprop import RMSprop
from nnkit.optimizers.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "get", "OPTIMIZERS"]
