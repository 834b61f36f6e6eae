"""Composite: a layer made of sub-layers it creates itself from its own arguments.

Unlike a ``Wrapper`` (whose wrapped layer is given and nested in its config), a
composite makes its children from its constructor's arguments, so its config
holds those arguments only (keras_hub's ``TokenAndPositionEmbedding`` and
``TransformerEncoder`` are written this way). The children's params and grads
are exposed as ``"<role>/<key>"`` aliases (``Wrapper.expose_child_params``), in
the order of ``children()``, which is Keras's weight order.
"""
from nnkit.layers.base import Layer
from nnkit.layers.wrapper import Wrapper


class Composite(Wrapper):
    """A layer whose ``children()`` it makes itself; subclasses write ``forward``/``backward``
    from the children's ``forward``/``backward``."""

    def __init__(self, **kwargs):
        Layer.__init__(self, **kwargs)        # no wrapped layer: the children come later

    def children(self):
        return self.__dict__.get("_children", {})

    def set_children(self, children):
        """Adopt ``{role: layer}`` (in Keras's weight order)."""
        self._children = dict(children)

    @property
    def grad_rows(self):
        """The children's row-sparse gradient rows, under the exposed keys."""
        return {f"{role}/{key}": rows for role, child in self.children().items()
                for key, rows in child.grad_rows.items()}

    def zero_grads(self):
        for child in self.children().values():
            child.zero_grads()

    def get_config(self):
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config):
        return Layer.from_config.__func__(cls, config)
