"""The graph runner: the one forward and backward order of every model (Sequential and
graphs), and the inference plan of one ``predict``/``evaluate`` call."""
from nnkit.graph.runner import GraphRunner, RunNode

__all__ = ["GraphRunner", "RunNode"]
