"""Keras's ``data_format`` for layers that compute channels last.

Convolutions, local and global pooling and Flatten compute on channels-last
arrays ``(N, ..., C)``. ``ChannelsFirst`` lets them take Keras's
``data_format="channels_first"`` ``(N, C, ...)``: the channel axis is moved last
on the way in and first on the way out (a view each way), and the gradients
are moved back the same way. None means ``nnkit.config.image_data_format()``
(Keras's rule); the resolved value is what ``get_config`` records.
"""
from nnkit import config
from nnkit.errors import InvalidArgumentError

DATA_FORMATS = ("channels_last", "channels_first")


def resolve_data_format(where, data_format):
    """``data_format`` lower-cased, None meaning ``config.image_data_format()``.

    Raises:
        InvalidArgumentError: neither "channels_last" nor "channels_first".
    """
    value = config.image_data_format() if data_format is None else str(data_format).lower()
    if value not in DATA_FORMATS:
        raise InvalidArgumentError(f"{where}: data_format must be one of {DATA_FORMATS} (or "
                                   f"None for the configured default), received {data_format!r}")
    return value


def _last(shape):
    """An example shape ``(C, ...)`` as channels last ``(..., C)``."""
    shape = tuple(shape)
    return shape[1:] + shape[:1]


def _first(shape):
    """An example shape ``(..., C)`` as channels first ``(C, ...)``."""
    shape = tuple(shape)
    return shape[-1:] + shape[:-1]


class ChannelsFirst:
    """Mixin (listed before a channels-last layer class) taking Keras's ``data_format``.

    The subclass calls ``set_data_format(data_format)`` in ``__init__`` (after
    ``super().__init__``); the config records the resolved value.
    """

    data_format = "channels_last"

    def set_data_format(self, data_format):
        self.data_format = resolve_data_format(
            f"layer '{self.name}' ({type(self).__name__})", data_format)
        if self.channels_first and self.fixed_input_axes == (-1,):
            # the fixed channel axis is the example's first one: -(rank - 1) with the batch
            self.fixed_input_axes = (1 - self.input_ranks[0],)

    @property
    def channels_first(self):
        return self.data_format == "channels_first"

    def _moved(self, array, source, target):
        return array if array is None or not self.channels_first else \
            self.xp.moveaxis(array, source, target)

    def build(self, input_shape):
        if not self.channels_first:
            return super().build(input_shape)
        super().build(_last(input_shape))
        self.build_input_shape = tuple(input_shape)        # what check_input compares with

    def example_output_shape(self, input_shape):
        if not self.channels_first:
            return super().example_output_shape(input_shape)
        return _first(super().example_output_shape(_last(input_shape)))

    def check_mask(self, x, mask):
        """A mask covers ``(N, T)``: the batch and the first axis of the channels-last view."""
        return super().check_mask(self._moved(x, 1, -1), mask)

    def forward(self, x, training=False, mask=None):
        return self._moved(super().forward(self._moved(x, 1, -1), training, mask), -1, 1)

    def backward(self, dy):
        return self._moved(super().backward(self._moved(dy, 1, -1)), -1, 1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
