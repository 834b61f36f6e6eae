"""GraphRunner: the one forward and backward order of every model (Sequential and graphs).

A model is a list of nodes in topological (creation) order, each reading and
writing numbered tensors. Forward runs the nodes in order, passing each
tensor's mask along, and (in training) takes each node's cache out of its
layer, so a layer called at several nodes keeps one cache per node.

Backward runs the nodes in reverse order (deterministic: the reverse of the
creation order) with a table of gradients per tensor, as Chainer's GradTable:
a tensor read by several nodes receives the *sum* of their gradients before
the node that made it runs, because every reader was created after it. A node
whose outputs received no gradient is skipped (its layer's gradients stay as
they are). A shared layer adds into its ``grads`` once per node.
"""
from nnkit import profiling
from nnkit.backend import get_backend


class RunNode:
    """A node as the runner sees it: ``layer`` reads tensor ids ``inputs`` and writes ``outputs``.

    Attributes:
        multiple_inputs: the layer takes a list (merge layers, nested multi-input models).
        multiple_outputs: the layer returns a list (``return_state``, multi-output models).
        needs_input_grad: some input needs a gradient (set by the runner).
    """

    def __init__(self, layer, inputs, outputs, kwargs=None, multiple_inputs=False,
                 multiple_outputs=False):
        self.layer, self.inputs, self.outputs = layer, list(inputs), list(outputs)
        self.kwargs = dict(kwargs or {})
        self.multiple_inputs, self.multiple_outputs = multiple_inputs, multiple_outputs
        self.needs_input_grad = True


class GraphRunner:
    """Run ``nodes`` from ``input_ids`` to ``output_ids`` (tensor ids are any hashables).

    Args:
        nodes: RunNodes in topological order.
        input_ids, output_ids: the model's inputs and outputs, in order.
    """

    def __init__(self, nodes, input_ids, output_ids):
        self.nodes, self.input_ids, self.output_ids = list(nodes), list(input_ids), list(output_ids)
        self.set_input_grad(False)

    def set_input_grad(self, needed):
        """Whether ``backward`` must return the model inputs' gradients (nested models do)."""
        self.returns_input_grad = needed
        computed = set() if not needed else set(self.input_ids)
        for node in self.nodes:
            node.needs_input_grad = any(i in computed or i not in self.input_ids
                                        for i in node.inputs)
            computed.update(node.outputs)

    def trace(self, inputs, masks, training=False, plan=None, values=None, mask_of=None):
        """Run the nodes one by one, yielding ``(node, x, mask, outputs)`` after each.

        ``x`` and ``mask`` are what the node's layer received (lists for several
        inputs), ``outputs`` the list it produced; ``forward`` runs this to the end.
        ``plan``: the call's ``InferencePlan`` (inference only). ``values`` and ``mask_of``:
        dicts the caller passes to read every tensor and mask by id afterwards.
        """
        values = {} if values is None else values
        mask_of = {} if mask_of is None else mask_of
        values.update(zip(self.input_ids, inputs))
        mask_of.update(zip(self.input_ids, masks))
        for node in self.nodes:
            x = [values[i] for i in node.inputs]
            mask = [mask_of.get(i) for i in node.inputs]
            if not node.multiple_inputs:
                x, mask = x[0], mask[0]
            kwargs = node.kwargs if plan is None else {**node.kwargs,
                                                       **plan.extra_arguments(node, values)}
            with profiling.section("forward", node.layer.name):
                y, out_mask = node.layer.apply(x, training=training, mask=mask, **kwargs)
            ys = list(y) if node.multiple_outputs else [y]
            out_masks = (list(out_mask) if isinstance(out_mask, (list, tuple))
                         else [out_mask] + [None] * (len(ys) - 1))
            for tensor_id, value, value_mask in zip(node.outputs, ys, out_masks):
                values[tensor_id], mask_of[tensor_id] = value, value_mask
            yield node, x, mask, ys

    def forward(self, inputs, masks, training, plan=None):
        """Run every node; returns ``(outputs, output masks, state)``; ``state`` feeds ``backward``.

        ``plan``: an ``InferencePlan`` of the running predict/evaluate call (inference only).
        """
        caches, shapes, values, mask_of = [], {}, {}, {}
        for node, _, _, ys in self.trace(inputs, masks, training, plan, values, mask_of):
            for tensor_id, value in zip(node.outputs, ys):
                shapes[tensor_id] = (value.shape, value.dtype)
            caches.append(node.layer.detach_cache() if training else None)
        outputs = [values[i] for i in self.output_ids]
        output_masks = [mask_of.get(i) for i in self.output_ids]
        return outputs, output_masks, (caches, shapes) if training else None

    def backward(self, d_outputs, state):
        """Backpropagate ``d_outputs`` (None: no gradient); returns the inputs' gradients."""
        caches, shapes = state
        xp = get_backend().xp
        grads = {}
        for tensor_id, grad in zip(self.output_ids, d_outputs):
            _accumulate(grads, tensor_id, grad)
        for node, cache in zip(reversed(self.nodes), reversed(caches)):
            d = [grads.pop(o, None) for o in node.outputs]
            if all(g is None for g in d):
                continue
            if d[0] is None:                   # e.g. only a returned state is used
                shape, dtype = shapes[node.outputs[0]]
                d[0] = xp.zeros(shape, dtype)
            node.layer.attach_cache(cache)
            node.layer.needs_input_grad = node.needs_input_grad
            with profiling.section("backward", node.layer.name):
                dx = node.layer.backward(d if node.multiple_outputs else d[0])
            if not node.needs_input_grad or dx is None:
                continue
            for tensor_id, grad in zip(node.inputs, dx if node.multiple_inputs else [dx]):
                _accumulate(grads, tensor_id, grad)
        if not self.returns_input_grad:      # a reader may have left its part out
            return [None] * len(self.input_ids)
        return [grads.get(i) for i in self.input_ids]


def _accumulate(grads, tensor_id, grad):
    """Sum a gradient into the table (never in place into an array a layer handed out)."""
    if grad is None:
        return
    known = grads.get(tensor_id)
    grads[tensor_id] = grad if known is None else known + grad
