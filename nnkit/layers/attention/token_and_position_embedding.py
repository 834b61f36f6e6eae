"""TokenAndPositionEmbedding: keras_hub's token embedding plus learned position embedding.

``y[n, t] = tokens[x[n, t]] + positions[start_index + t]``, an ``Embedding``
(``token_embedding``) and a ``PositionEmbedding`` (``position_embedding``) run
as children; with ``mask_zero`` the token embedding's mask ``x != 0`` flows on.
Backward is the children's: the token rows and position rows each receive ``dy``.

Shapes:
    x ``(N, T)`` integer ids in ``[0, V)``, ``start_index + T <= sequence_length``;
    y ``(N, T, E)``. Weights (keras_hub's order and names):
    ``token_embedding/embeddings (V, E)``, ``position_embedding/embeddings (sequence_length, E)``.

Differs from keras_hub: ``tie_weights=False`` (a separate reverse projection matrix,
used only by ``ReversibleEmbedding``'s ``reverse=True`` call) is refused; the ``positions``
call argument is not taken.

Example:
    >>> TokenAndPositionEmbedding(100, 8, 4)(np.ones((2, 8), "int32")).shape
    (2, 8, 4)
"""
from nnkit import initializers, validation
from nnkit.errors import InvalidArgumentError, ShapeError
from nnkit.layers.attention.composite import Composite
from nnkit.layers.attention.position_embedding import PositionEmbedding
from nnkit.layers.embedding import Embedding
from nnkit.registry import register_layer


@register_layer
class TokenAndPositionEmbedding(Composite):
    """Sum of a token and a position embedding (see the module docstring).

    Args:
        vocabulary_size: V. sequence_length: the longest sequence. embedding_dim: E.
        tie_weights: True only (see the module docstring).
        embeddings_initializer: both tables' initializer (default U(-0.05, 0.05), keras_hub's
            ``"uniform"``).
        mask_zero: id 0 is padding; the mask ``x != 0`` flows to the next layers.

    Call arguments:
        start_index: the position of the first step, default 0.
    """

    input_kind = "index"
    input_ranks = (2,)
    fixed_input_axes = ()

    def __init__(self, vocabulary_size, sequence_length, embedding_dim, tie_weights=True,
                 embeddings_initializer="uniform", mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        if tie_weights is not True:
            raise InvalidArgumentError(
                f"{self.where}: tie_weights must be True (nnkit has no reverse projection "
                f"matrix), received {tie_weights!r}")
        self.vocabulary_size = validation.positive_int(self.where, "vocabulary_size",
                                                       vocabulary_size)
        self.sequence_length = validation.positive_int(self.where, "sequence_length",
                                                       sequence_length)
        self.embedding_dim = validation.positive_int(self.where, "embedding_dim", embedding_dim)
        self.mask_zero = validation.flag(self.where, "mask_zero", mask_zero)
        self.embeddings_initializer = embeddings_initializer
        self.set_children({
            "token_embedding": Embedding(self.vocabulary_size, self.embedding_dim,
                                         mask_zero=self.mask_zero, name="token_embedding",
                                         embeddings_initializer=embeddings_initializer),
            "position_embedding": PositionEmbedding(self.sequence_length,
                                                    initializer=embeddings_initializer,
                                                    name="position_embedding")})

    def build(self, input_shape):
        children = self.children()
        children["token_embedding"].build(tuple(input_shape))
        children["position_embedding"].build(tuple(input_shape) + (self.embedding_dim,))
        self.expose_child_params()
        super().build(input_shape)

    def example_output_shape(self, input_shape):
        return tuple(input_shape) + (self.embedding_dim,)

    def compute_mask(self, x, mask):
        return self.children()["token_embedding"].compute_mask(x, mask)

    def forward(self, x, training=False, mask=None, start_index=0):
        if x.ndim < 2 or start_index + x.shape[1] > self.sequence_length:
            raise ShapeError(f"{self.where}: expected token ids (N, T) with T + start_index <= "
                             f"sequence_length {self.sequence_length}, received shape "
                             f"{tuple(x.shape)} and start_index {start_index}")
        children = self.children()
        tokens = children["token_embedding"].forward(x, training)
        return tokens + children["position_embedding"].forward(tokens, training,
                                                               start_index=start_index)

    def backward(self, dy):
        """Both tables receive ``dy``; integer ids have no gradient (None)."""
        children = self.children()
        children["position_embedding"].backward(dy)
        return children["token_embedding"].backward(dy)

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length, "embedding_dim": self.embedding_dim,
                "tie_weights": True, "mask_zero": self.mask_zero,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}
