"""``python -m nnkit run script.py [args]``: run a script written for Keras on nnkit.

The script's ``import keras`` (and ``from keras.layers import ...``, ``import
keras.backend as K``, ...) get nnkit's modules (``nnkit.keras_stand_in``).
"""
import argparse
import sys

from nnkit.keras_stand_in import run_script


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnkit",
                                     description="nnkit's command line")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a Keras script with nnkit answering 'import keras'")
    run.add_argument("script", help="path of the Python script")
    run.add_argument("arguments", nargs=argparse.REMAINDER, help="the script's own arguments")
    options = parser.parse_args(argv)
    run_script(options.script, options.arguments)


if __name__ == "__main__":
    sys.exit(main())
