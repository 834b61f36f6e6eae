"""nnkit answering ``import keras``: an import hook that maps ``keras.<x>`` to ``nnkit.<x>``.

``use_as_keras()`` (or ``python -m nnkit run script.py``) puts a finder in front of
``sys.meta_path``: ``import keras`` gives the ``nnkit`` module, ``from keras.layers import
LSTM`` nnkit's ``LSTM``, ``import keras.backend as K`` ``nnkit.backend``, and so on. A
module nnkit does not have (``keras.applications``, Keras's private ``keras.src``) raises
``ModuleNotFoundError`` saying that nnkit does not provide it. Nothing is copied or
wrapped: ``keras.layers`` *is* ``nnkit.layers``.

The hook is process-wide once installed (as an installed ``keras`` package would be); a
real Keras imported before it stays in ``sys.modules`` and is refused, since two
frameworks under one name would mix silently.
"""
import importlib
import importlib.machinery
import pathlib
import re
import runpy
import sys

from nnkit.errors import NnkitError
from nnkit.keras_names import missing_message

#: Keras module names → nnkit module names where they differ (else keras.<x> → nnkit.<x>)
RENAMED = {"keras": "nnkit"}


def nnkit_module_name(keras_name):
    """``"keras.layers"`` → ``"nnkit.layers"``."""
    return RENAMED.get(keras_name, "nnkit" + keras_name[len("keras"):])


class _AliasLoader:
    """Hands the import system an already-imported nnkit module under a ``keras`` name."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.spec           # the import system set the keras spec on it


class KerasFinder:
    """A ``sys.meta_path`` finder for ``keras`` and ``keras.*`` (see the module docstring)."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname != "keras" and not fullname.startswith("keras."):
            return None
        if fullname == "keras.src" or fullname.startswith("keras.src."):
            raise ModuleNotFoundError(f"nnkit does not provide Keras's private module "
                                      f"{fullname!r}; use the public keras.* names",
                                      name=fullname)
        target = nnkit_module_name(fullname)
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as error:
            if error.name is None or not target.startswith(error.name):
                raise                      # a module nnkit has failed to import something
            raise ModuleNotFoundError(f"nnkit does not provide the module {fullname!r}",
                                      name=fullname) from None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))


def use_as_keras():
    """Make ``import keras`` (and every ``keras.*`` module) import nnkit, for this process.

    Raises:
        NnkitError: a real ``keras`` module was imported already.
    """
    loaded = sys.modules.get("keras")
    if loaded is not None and not loaded.__name__.startswith("nnkit"):
        raise NnkitError("use_as_keras: a real keras module is already imported in this "
                         "process; call it before anything imports keras")
    if not any(isinstance(finder, KerasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, KerasFinder())


_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '(nnkit[\w.]*)'")


def run_script(path, arguments=()):
    """Run the Keras script ``path`` as ``__main__`` with nnkit as ``keras``.

    ``sys.argv`` is ``[path, *arguments]`` and the script's folder is first on
    ``sys.path``, as ``python script.py`` would have them. ``from keras.x import Name``
    of a name nnkit lacks raises an ImportError saying so.
    """
    use_as_keras()
    sys.argv = [str(path), *arguments]
    sys.path.insert(0, str(pathlib.Path(path).resolve().parent))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except ImportError as error:
        found = _CANNOT_IMPORT.search(str(error))
        if found is None:
            raise
        raise ImportError(missing_message(found.group(2), found.group(1)),
                          name=found.group(2)) from error
