"""Keras 3's callbacks (``keras.callbacks``) for ``fit``, ``evaluate`` and ``predict``, plus
nnkit's ``NaNGuard``. Asking for a Keras callback nnkit lacks raises AttributeError saying so
(``nnkit.keras_names``)."""
from nnkit.callbacks.backup_and_restore import BackupAndRestore
from nnkit.callbacks.base import Callback
from nnkit.callbacks.callback_list import CallbackList
from nnkit.callbacks.csv_logger import CSVLogger
from nnkit.callbacks.early_stopping import EarlyStopping
from nnkit.callbacks.history import History
from nnkit.callbacks.lambda_callback import LambdaCallback
from nnkit.callbacks.learning_rate_scheduler import LearningRateScheduler
from nnkit.callbacks.model_checkpoint import ModelCheckpoint
from nnkit.callbacks.monitor import MonitorCallback
from nnkit.callbacks.nan_guard import NaNGuard
from nnkit.callbacks.progress_bar import ProgbarLogger, ProgressBar
from nnkit.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from nnkit.callbacks.tensorboard import TensorBoard
from nnkit.callbacks.terminate_on_nan import TerminateOnNaN
from nnkit.keras_names import missing_names

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "CSVLogger", "TerminateOnNaN", "ProgressBar",
           "ProgbarLogger", "NaNGuard", "BackupAndRestore", "ReduceLROnPlateau", "TensorBoard",
           "LambdaCallback", "MonitorCallback"]

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
