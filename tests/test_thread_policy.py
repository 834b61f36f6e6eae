"""nnkit's thread policy: each library starts with a short idle wait, the user's choice wins,
and nothing is left in the environment (``nnkit/backend/thread_policy.py``)."""
import os
import subprocess
import sys

from nnkit.backend import thread_policy


def test_the_variable_is_set_only_while_the_library_starts(monkeypatch):
    monkeypatch.delenv("NNKIT_THREAD_POLICY", raising=False)
    monkeypatch.delenv("OPENBLAS_THREAD_TIMEOUT", raising=False)
    with thread_policy._set_while("OPENBLAS_THREAD_TIMEOUT", "16"):
        assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == "16"
    assert "OPENBLAS_THREAD_TIMEOUT" not in os.environ


def test_the_users_choice_or_opt_out_wins(monkeypatch):
    monkeypatch.setenv("GOMP_SPINCOUNT", "infinite")
    with thread_policy._set_while("GOMP_SPINCOUNT", "10000"):
        assert os.environ["GOMP_SPINCOUNT"] == "infinite"
    assert os.environ["GOMP_SPINCOUNT"] == "infinite"
    monkeypatch.delenv("GOMP_SPINCOUNT")
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    with thread_policy._set_while("GOMP_SPINCOUNT", "10000", unless=("OMP_WAIT_POLICY",)):
        assert "GOMP_SPINCOUNT" not in os.environ
    monkeypatch.delenv("OMP_WAIT_POLICY")
    monkeypatch.setenv("NNKIT_THREAD_POLICY", "0")
    with thread_policy._set_while("GOMP_SPINCOUNT", "10000"):
        assert "GOMP_SPINCOUNT" not in os.environ


def test_import_nnkit_starts_numpy_under_the_policy_and_leaves_no_variable():
    code = ("import builtins, os\n"
            "seen = {}\n"
            "real = builtins.__import__\n"
            "def spy(name, *args, **kwargs):\n"
            "    if name == 'numpy' and 'numpy' not in seen:\n"
            "        seen['numpy'] = os.environ.get('OPENBLAS_THREAD_TIMEOUT')\n"
            "    return real(name, *args, **kwargs)\n"
            "builtins.__import__ = spy\n"
            "import nnkit\n"
            "builtins.__import__ = real\n"
            "nnkit.Dense(2)(__import__('numpy').ones((2, 3), 'float32'))\n"
            "print(seen['numpy'], 'OPENBLAS_THREAD_TIMEOUT' in os.environ, "
            "'GOMP_SPINCOUNT' in os.environ)\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_THREAD_TIMEOUT", "NNKIT_THREAD_POLICY")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == [thread_policy.OPENBLAS_TIMEOUT_LOG2, "False", "False"]
