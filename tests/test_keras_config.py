"""``nnkit.config`` as Keras 3's ``keras.config``, and Keras 3's ``keras.backend`` functions
beside nnkit's compute-backend API."""
import numpy as np
import pytest

import nnkit
from nnkit import config, registry


@pytest.fixture(autouse=True)
def _restore_settings():
    saved = dict(config._SETTINGS)
    yield
    config._SETTINGS.update(saved)


# ---- keras.config --------------------------------------------------------------------------
def test_floatx_sets_the_dtype_of_new_weights_and_refuses_half_precision_by_name():
    assert config.floatx() == "float32"
    config.set_floatx("float64")
    layer = nnkit.Dense(2)
    layer.build((3,))
    assert layer.params["kernel"].dtype == np.float64
    for name in ("float16", "bfloat16", "float8"):
        with pytest.raises(nnkit.InvalidArgumentError, match=f"received '{name}'"):
            config.set_floatx(name)
    assert config.floatx() == "float64"


def test_epsilon_and_image_data_format_defaults_and_checks():
    assert config.epsilon() == 1e-7 and config.image_data_format() == "channels_last"
    config.set_epsilon(1e-5)
    config.set_image_data_format("Channels_First")
    assert config.epsilon() == 1e-5 and config.image_data_format() == "channels_first"
    with pytest.raises(nnkit.InvalidArgumentError, match="number >= 0"):
        config.set_epsilon(-1.0)
    with pytest.raises(nnkit.InvalidArgumentError, match="'channels_middle'"):
        config.set_image_data_format("channels_middle")


def test_dtype_policy_follows_floatx_and_refuses_mixed_precision():
    assert config.dtype_policy().name == "float32"
    config.set_dtype_policy("float64")
    assert config.floatx() == "float64"
    policy = config.dtype_policy()
    assert (policy.compute_dtype, policy.variable_dtype) == ("float64", "float64")
    assert policy == config.DTypePolicy("float64") and repr(policy) == '<DTypePolicy "float64">'
    config.set_dtype_policy(config.DTypePolicy("float32"))
    assert config.floatx() == "float32"
    with pytest.raises(nnkit.InvalidArgumentError, match="mixed precision"):
        config.set_dtype_policy("mixed_float16")
    with pytest.raises(nnkit.InvalidArgumentError, match="'int8'"):
        config.set_dtype_policy("int8")


def test_switches_keep_their_setting():
    assert config.is_traceback_filtering_enabled() and config.is_interactive_logging_enabled()
    config.disable_traceback_filtering()
    config.disable_interactive_logging()
    assert not config.is_traceback_filtering_enabled()
    assert not config.is_interactive_logging_enabled()
    config.enable_traceback_filtering()
    config.enable_interactive_logging()
    assert config.is_traceback_filtering_enabled() and config.is_interactive_logging_enabled()
    config.enable_unsafe_deserialization()                 # accepted: nothing to unlock


def test_interactive_logging_off_sends_callback_messages_to_logging(capsys, caplog):
    stopper = nnkit.callbacks.EarlyStopping("loss", mode="max", patience=0, verbose=1)
    model = nnkit.Sequential([nnkit.Dense(1, input_shape=(2,))])
    model.compile(nnkit.optimizers.SGD(0.1), "mse")
    config.disable_interactive_logging()
    with caplog.at_level("INFO", logger="nnkit"):
        model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=5, verbose=0, callbacks=[stopper])
    assert capsys.readouterr().out == ""
    assert [record.getMessage() for record in caplog.records] == ["Epoch 2: early stopping"]


def test_max_epochs_and_backend_name():
    assert config.max_epochs() is None and config.max_steps_per_epoch() is None
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    assert (config.max_epochs(), config.max_steps_per_epoch()) == (2, 3)
    with pytest.raises(nnkit.InvalidArgumentError, match="positive integer"):
        config.set_max_epochs(0)
    assert config.backend() == "numpy"


# ---- keras.backend -------------------------------------------------------------------------
def test_backend_keeps_its_compute_api_and_gains_keras_functions():
    backend = nnkit.backend
    assert backend.get_backend().name == "numpy" and set(backend.BACKENDS) >= {"numpy", "cupy"}
    assert backend.set_backend("numpy") is backend.get_backend()
    assert callable(backend.keep_freed_memory)
    assert backend.backend() == "numpy"
    backend.set_floatx("float64")
    backend.set_epsilon(1e-4)
    backend.set_image_data_format("channels_first")
    assert (config.floatx(), config.epsilon(), config.image_data_format()) == \
        ("float64", 1e-4, "channels_first")
    assert (backend.floatx(), backend.epsilon(), backend.image_data_format()) == \
        ("float64", 1e-4, "channels_first")


def test_clear_session_restarts_names_and_uids():
    nnkit.backend.clear_session()
    assert [nnkit.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert [nnkit.backend.get_uid("x") for _ in range(2)] == [1, 2]
    nnkit.backend.clear_session(free_memory=False)
    assert nnkit.Dense(1).name == "dense" and nnkit.backend.get_uid("x") == 1
    assert registry.auto_name("lstm") == "lstm" and registry.auto_name("lstm") == "lstm_1"


def test_clear_session_frees_the_memory_pools_of_an_array_module_that_has_them(monkeypatch):
    freed = []

    class Pool:
        def __init__(self, kind):
            self.kind = kind

        def free_all_blocks(self):
            freed.append(self.kind)

    class PooledModule:
        get_default_memory_pool = staticmethod(lambda: Pool("device"))
        get_default_pinned_memory_pool = staticmethod(lambda: Pool("pinned"))

    class Stub:
        xp = PooledModule
    monkeypatch.setattr(nnkit.backend, "_current", Stub())
    nnkit.backend.clear_session(free_memory=False)
    assert freed == []
    nnkit.backend.clear_session()
    assert freed == ["device", "pinned"]


def test_is_keras_tensor_is_true_for_symbolic_tensors_only():
    assert nnkit.backend.is_keras_tensor(nnkit.Input((3,)))
    assert nnkit.backend.is_keras_tensor(nnkit.Dense(2)(nnkit.Input((3,))))
    assert not nnkit.backend.is_keras_tensor(np.ones((2, 3)))
    assert not nnkit.backend.is_keras_tensor([nnkit.Input((3,))])


@pytest.mark.parametrize("dtype, name", [
    (None, "float32"), (int, "int32"), (float, "float32"), (bool, "bool"), ("int", "int32"),
    (np.float64, "float64"), (np.dtype("uint8"), "uint8"), ("bfloat16", "bfloat16"),
    (np.zeros(2, "int16").dtype, "int16")])
def test_standardize_dtype_names_as_keras(dtype, name):
    assert nnkit.backend.standardize_dtype(dtype) == name


def test_dtype_kinds():
    backend = nnkit.backend
    assert backend.is_float_dtype("bfloat16") and backend.is_float_dtype(np.float32)
    assert backend.is_int_dtype("uint8") and backend.is_int_dtype(int)
    assert not backend.is_int_dtype("float32") and not backend.is_float_dtype("bool")
    for bad in ("float128", object, "double"):
        with pytest.raises(nnkit.InvalidArgumentError, match="invalid dtype"):
            backend.standardize_dtype(bad)
