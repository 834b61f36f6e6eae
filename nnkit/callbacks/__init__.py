"""Keras-style callbacks for ``fit``."""
from nnkit.callbacks.backup_and_restore import BackupAndRestore
from nnkit.callbacks.base import Callback
from nnkit.callbacks.callback_list import CallbackList
from nnkit.callbacks.csv_logger import CSVLogger
from nnkit.callbacks.early_stopping import EarlyStopping
from nnkit.callbacks.history import History
from nnkit.callbacks.learning_rate_scheduler import LearningRateScheduler
from nnkit.callbacks.model_checkpoint import ModelCheckpoint
from nnkit.callbacks.nan_guard import NaNGuard
from nnkit.callbacks.progress_bar import ProgressBar
from nnkit.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from nnkit.callbacks.tensorboard import TensorBoard
from nnkit.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "CSVLogger", "TerminateOnNaN", "ProgressBar", "NaNGuard",
           "BackupAndRestore", "ReduceLROnPlateau", "TensorBoard"]
