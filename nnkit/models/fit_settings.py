"""FitSettings: what one ``fit`` call was asked, in one object the fit loop reads."""
import dataclasses

from nnkit import validation
from nnkit.errors import InvalidArgumentError


@dataclasses.dataclass
class FitSettings:
    """The arguments of ``Trainer.fit`` (see its docstring for each), data included."""

    x: object
    y: object = None
    batch_size: int = None
    epochs: int = 1
    verbose: object = "auto"
    callbacks: list = None
    validation_split: float = 0.0
    validation_data: object = None
    shuffle: object = True
    sample_weight: object = None
    initial_epoch: int = 0
    resume_from: object = None
    class_weight: dict = None
    steps_per_epoch: int = None
    validation_steps: int = None
    workers: int = None
    validation_batch_size: int = None
    validation_freq: object = 1

    def __post_init__(self):
        if self.batch_size is None:
            self.batch_size = 32                        # Keras's default
        self.epochs = validation.positive_int("fit", "epochs", self.epochs)
        self.initial_epoch = validation.non_negative_int("fit", "initial_epoch",
                                                         self.initial_epoch)
        if self.initial_epoch >= self.epochs and self.resume_from is None:
            raise InvalidArgumentError(f"fit: initial_epoch ({self.initial_epoch}) must be less "
                                       f"than epochs ({self.epochs}), or no epoch would run "
                                       f"(epochs is the index of the last epoch, as in Keras)")
        freq = self.validation_freq
        if not (isinstance(freq, int) and not isinstance(freq, bool) and freq >= 1) and not (
                isinstance(freq, (list, tuple)) and all(isinstance(e, int) for e in freq)):
            raise InvalidArgumentError(f"fit: validation_freq must be a positive int or a list "
                                       f"of epoch numbers, received {freq!r}")

    def validates_after(self, epoch):
        """Whether the validation pass runs after ``epoch`` (0-based; Keras counts from 1)."""
        if isinstance(self.validation_freq, int):
            return (epoch + 1) % self.validation_freq == 0
        return epoch + 1 in self.validation_freq
