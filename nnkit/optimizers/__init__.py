"""Optimizers: SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW (all with clipvalue/clipnorm/
global_clipnorm, weight_decay and learning-rate schedules)."""
from nnkit.keras_names import missing_names
from nnkit.optimizers.adadelta import Adadelta
from nnkit.optimizers.adagrad import Adagrad
from nnkit.optimizers import schedules
from nnkit.optimizers.adam import Adam, AdamW
from nnkit.optimizers.base import OPTIMIZERS, Optimizer, get
from nnkit.optimizers.rmsprop import RMSprop
from nnkit.optimizers.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "get",
           "OPTIMIZERS", "schedules"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
