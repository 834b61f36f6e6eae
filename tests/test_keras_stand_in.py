"""The ``keras`` stand-in: Keras scripts run with ``python -m nnkit run`` (each in its own
process, as a user runs them), and names nnkit lacks fail saying so."""
import subprocess
import sys
import textwrap

import pytest

import nnkit


def _run(tmp_path, source, *arguments):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "-m", "nnkit", "run", str(script), *arguments],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_a_keras_script_runs_unchanged(tmp_path):
    result = _run(tmp_path, """
        import sys
        import numpy as np
        import keras
        from keras import layers
        from keras.layers import Dense
        from keras.models import Sequential, load_model
        import keras.backend as K

        assert keras.layers is layers and Dense is layers.Dense and K.floatx() == "float32"
        model = Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                            Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        x, y = np.random.rand(32, 4), np.random.randint(0, 2, 32)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        score = model.evaluate(x, y, verbose=0)
        print("Test loss:", score[0])
        print("Test accuracy:", score[1])
        model.save("model.keras")
        restored = load_model("model.keras")
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x), rtol=1e-5)
        print("argv", sys.argv[1:])
    """, "--epochs", "2")
    assert result.returncode == 0, result.stderr
    assert "Test accuracy:" in result.stdout
    assert "argv ['--epochs', '2']" in result.stdout


def test_a_name_nnkit_lacks_fails_saying_so(tmp_path):
    result = _run(tmp_path, "from keras.layers import NoSuchLayer\n")
    assert result.returncode != 0
    assert "nnkit does not provide keras.layers.NoSuchLayer" in result.stderr
    result = _run(tmp_path, "import keras\nkeras.layers.NoSuchLayer\n")
    assert "nnkit does not provide keras.layers.NoSuchLayer" in result.stderr
    result = _run(tmp_path, "import keras.applications\n")
    assert "nnkit does not provide the module 'keras.applications'" in result.stderr


def test_use_as_keras_maps_modules_to_nnkits_own(tmp_path):
    code = ("import nnkit; nnkit.use_as_keras(); import keras, keras.layers, keras.utils; "
            "from keras.preprocessing.sequence import pad_sequences; "
            "assert keras is nnkit and keras.layers is nnkit.layers; "
            "assert nnkit.layers.__spec__.name == 'nnkit.layers'; print('fine')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "fine" in result.stdout


def test_keras_private_modules_are_refused():
    from nnkit.keras_stand_in import KerasFinder
    with pytest.raises(ModuleNotFoundError, match="private"):
        KerasFinder.find_spec("keras.src.layers")
    assert KerasFinder.find_spec("numpy") is None
    assert nnkit.use_as_keras is not None
