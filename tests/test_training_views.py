"""Seeing training: TensorBoard event files (read back record by record) and plot_history."""
import struct

import numpy as np
import pytest

import nnkit


def read_events(folder):
    """``{tag: [(step, value)]}`` of the scalar summaries in a folder's event files."""
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")
    scalars = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):            # TFRecord: length, crc, payload, crc
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            payload = data[offset + 12:offset + 12 + length]
            offset += 12 + length + 4
            event = event_pb2.Event.FromString(payload)
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars


def trained(callbacks):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = (x[:, 0] > 0).astype(int)
    model = nnkit.Sequential([nnkit.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(nnkit.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x, y, batch_size=10, epochs=3, validation_split=0.25, verbose=0,
                     callbacks=callbacks)


def test_tensorboard_writes_keras_layout(tmp_path):
    pytest.importorskip("tensorboardX")
    board = nnkit.callbacks.TensorBoard(tmp_path, update_freq=2, histogram_freq=1)
    history = trained([board])
    train, validation = read_events(tmp_path / "train"), read_events(tmp_path / "validation")
    assert [value for _, value in train["epoch_loss"]] == pytest.approx(history.history["loss"])
    assert [value for _, value in validation["epoch_accuracy"]] == \
        pytest.approx(history.history["val_accuracy"])
    assert [step for step, _ in train["epoch_loss"]] == [0, 1, 2]
    assert train["epoch_learning_rate"][0][1] == pytest.approx(0.1)
    assert [step for step, _ in train["batch_loss"]] == [2, 4, 6, 8]        # 3 batches an epoch


def test_plot_history_draws_train_and_validation(tmp_path):
    pytest.importorskip("matplotlib")
    path = nnkit.utils.plot_history(trained([]), tmp_path / "history.png", title="run")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    with pytest.raises(nnkit.InvalidArgumentError, match="History"):
        nnkit.utils.plot_history([], tmp_path / "none.png")
