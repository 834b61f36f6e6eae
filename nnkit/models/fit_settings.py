"""FitSettings: what one ``fit`` call was asked, in one object the fit loop reads."""
import dataclasses


@dataclasses.dataclass
class FitSettings:
    """The arguments of ``Trainer.fit`` (see its docstring for each), data included."""

    x: object
    y: object = None
    batch_size: int = 32
    epochs: int = 1
    verbose: int = 1
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
