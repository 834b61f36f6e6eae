"""``nnkit.ops``: Keras 3's ``keras.ops``, every op with its own hand-written gradient.

On arrays an op computes at once; on symbolic tensors it records a node of the graph (see
``nnkit.ops.op``). One file per family; each family's ``__all__`` lists its Keras functions.
``nnkit.ops.nn`` gathers the neural-network families (``nn_*``, also exported here, as Keras
does).
"""
from nnkit.keras_names import missing_names
from nnkit.ops import nn  # noqa: F401  (keras.ops.nn)
from nnkit.ops.arg_reductions import *  # noqa: F401,F403
from nnkit.ops.comparisons import *  # noqa: F401,F403
from nnkit.ops.constructors import *  # noqa: F401,F403
from nnkit.ops.cumulative import *  # noqa: F401,F403
from nnkit.ops.elementwise import *  # noqa: F401,F403
from nnkit.ops.indexing import *  # noqa: F401,F403
from nnkit.ops.joining import *  # noqa: F401,F403
from nnkit.ops.nn_activations import *  # noqa: F401,F403
from nnkit.ops.nn_attention import *  # noqa: F401,F403
from nnkit.ops.nn_losses import *  # noqa: F401,F403
from nnkit.ops.nn_softmax import *  # noqa: F401,F403
from nnkit.ops.norms import *  # noqa: F401,F403
from nnkit.ops.op import OPS, Op
from nnkit.ops.padding import *  # noqa: F401,F403
from nnkit.ops.permutations import *  # noqa: F401,F403
from nnkit.ops.products import *  # noqa: F401,F403
from nnkit.ops.reductions import *  # noqa: F401,F403
from nnkit.ops.shapes import *  # noqa: F401,F403
from nnkit.ops.unary import *  # noqa: F401,F403

__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
