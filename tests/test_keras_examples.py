"""keras.io's example programs, unchanged but for their data (random arrays of the same shapes,
so that CI needs no download), run through ``python -m nnkit run`` in their own process."""
import subprocess
import sys
import textwrap

import pytest

MNIST_CONVNET = """
    import numpy as np
    import keras
    from keras import layers

    num_classes = 10
    input_shape = (28, 28, 1)
    rng = np.random.default_rng(0)
    x_train = rng.random((96, 28, 28)).astype("float32")
    y_train = rng.integers(0, 10, 96)
    x_test, y_test = x_train[:32], y_train[:32]
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()
    batch_size = 128
    epochs = 1
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
"""

TIMESERIES_FCN = """
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(64, 50, 1))
    y_train = (x_train[:, :5, 0].mean(axis=1) > 0).astype(int)
    x_test, y_test = x_train[:16], y_train[:16]
    num_classes = len(np.unique(y_train))

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)
        conv1 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)
        conv2 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)
        gap = keras.layers.GlobalAveragePooling1D()(conv2)
        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=x_train.shape[1:])
    keras.utils.set_random_seed(1)
    callbacks = [
        keras.callbacks.ModelCheckpoint("best_model.keras", save_best_only=True,
                                        monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20,
                                          min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
    ]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=3, callbacks=callbacks,
                        validation_split=0.2, verbose=1)
    model = keras.models.load_model("best_model.keras")
    test_loss, test_acc = model.evaluate(x_test, y_test)
    print("Test accuracy", test_acc)
    print("Test loss", test_loss)
    metric = "sparse_categorical_accuracy"
    print(len(history.history[metric]), len(history.history["val_" + metric]))
"""

IMDB_BIDIRECTIONAL_LSTM = """
    import numpy as np
    import keras
    from keras import layers

    max_features = 200
    maxlen = 20
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(max_features, 16)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.summary()

    rng = np.random.default_rng(0)
    x_train = [list(rng.integers(1, max_features, rng.integers(3, 30))) for _ in range(64)]
    y_train = rng.integers(0, 2, 64)
    x_val, y_val = x_train[:16], y_train[:16]
    print(len(x_train), "Training sequences")
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val))
    print("score", model.evaluate(x_val, y_val, verbose=0))
"""


@pytest.mark.parametrize("source, expected", [
    (MNIST_CONVNET, "Test accuracy:"), (TIMESERIES_FCN, "Test accuracy"),
    (IMDB_BIDIRECTIONAL_LSTM, "score [")], ids=["mnist_convnet", "timeseries_fcn", "imdb_bilstm"])
def test_keras_io_example_runs_unchanged(tmp_path, source, expected):
    script = tmp_path / "example.py"
    script.write_text(textwrap.dedent(source))
    result = subprocess.run([sys.executable, "-m", "nnkit", "run", str(script)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout
