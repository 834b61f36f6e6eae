"""InferencePlan: what one ``predict``/``evaluate`` call of one model may fold.

Built by the runner from the model's nodes at the start of the call and dropped at its
end (the weights cannot change in between). Today it holds one fold: an Embedding whose
output a recurrent layer reads directly gives that layer its input as rows of the
Embedding's table (``nnkit.layers.table_input``), so the layer's input projection is
made of projected table rows, taken from the model's ``ProjectionStore`` after one
comparison with the weights per call. Nothing is kept on a layer or in a module, so
models and threads never see each other's rows.
"""
from nnkit.layers.embedding import Embedding
from nnkit.layers.table_input import TableInput


class InferencePlan:
    """Per node whose layer takes a ``TableInput`` (recurrent layers, Bidirectional) and reads an
    Embedding's output: the ids tensor, the Embedding and the call's projections.

    Args:
        nodes: the runner's ``RunNode``s in topological order.
        store: the model's ``ProjectionStore``.
    """

    def __init__(self, nodes, store):
        self.store = store
        producer = {tensor: node for node in nodes for tensor in node.outputs}
        self.table_edges = {}
        for node in nodes:
            if node.multiple_inputs or not node.layer.takes_table_input:
                continue
            source = producer.get(node.inputs[0])
            if source is not None and type(source.layer) is Embedding:
                self.table_edges[node] = (source.inputs[0], source.layer, {})

    def extra_arguments(self, node, values):
        """Keyword arguments the plan adds to ``node``'s call, given the tensors so far."""
        edge = self.table_edges.get(node)
        if edge is None:
            return {}
        ids, embedding, projections = edge
        return {"table_input": TableInput(embedding.params["embeddings"], values[ids],
                                          projections, self.store)}
