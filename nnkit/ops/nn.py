"""Neural-network ops: Keras's ``keras.ops.nn`` (also exported from ``nnkit.ops``).

One file per family: activations (``nnkit.ops.nn_activations``), ``softmax``,
``log_softmax``, ``one_hot`` and ``normalize`` (``nnkit.ops.nn_softmax``),
``dot_product_attention`` (``nnkit.ops.nn_attention``) and the cross-entropies
(``nnkit.ops.nn_losses``). ``sigmoid`` is ``nnkit.ops.unary``'s (Keras also has
``keras.ops.nn.sigmoid``).
"""
from nnkit.keras_names import missing_names
from nnkit.ops import nn_activations, nn_attention, nn_losses, nn_softmax
from nnkit.ops.nn_activations import *  # noqa: F401,F403
from nnkit.ops.nn_attention import *  # noqa: F401,F403
from nnkit.ops.nn_losses import *  # noqa: F401,F403
from nnkit.ops.nn_softmax import *  # noqa: F401,F403
from nnkit.ops.unary import sigmoid  # noqa: F401  (Keras has it in keras.ops.nn too)

__all__ = (nn_activations.__all__ + nn_softmax.__all__ + nn_attention.__all__
           + nn_losses.__all__)

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
