"""The Layer contract every nnkit layer follows.

A layer owns its parameters and their gradients as two dicts with the same
keys (``params`` and ``grads``). ``build(input_shape)`` creates the
parameters; ``forward(x, training, mask)`` computes the output and, only when
training, keeps what ``backward`` needs; ``backward(dy)`` returns ``dx``,
*adds* the parameter gradients into ``grads`` and drops the cache. The model
zeroes ``grads`` before each batch.

A layer whose gradient touches few rows of a parameter (Embedding; Dense on
CSR input) lists it in ``row_sparse_grads`` and reports the rows it changed
with ``note_grad_rows``; ``grad_rows`` then lets zeroing and the optimizer
step work on those rows only.

Calling a layer (``layer(x, training=..., mask=...)``) validates ``x`` and the
mask, builds the layer on first use and runs ``forward``.

Adding a layer: the checklist is "Adding a layer" in CONTRIBUTING.md.
"""
import contextlib
import contextvars
import re

import numpy

from nnkit import config, constraints, initializers, regularizers, validation
from nnkit.backend import get_backend
from nnkit.backend.csr import CSRMatrix, is_sparse
from nnkit.errors import DTypeError, InvalidArgumentError, NotBuiltError, ShapeError, describe
from nnkit.layers import keywords
from nnkit.layers import trace as tracing
from nnkit.layers.symbolic import call_layer, is_symbolic
from nnkit.layers.variable import Variable
from nnkit.registry import auto_name

#: the weight budget of the ``restoring_weights`` block running in this thread (None outside)
_restoring_budget = contextvars.ContextVar("nnkit_restoring_budget", default=None)


@contextlib.contextmanager
def restoring_weights(max_elements):
    """Build layers whose weights are about to be overwritten from a checkpoint.

    Inside, ``add_weight`` allocates zeros (no random draws, so loading does
    not move nnkit's generator) and refuses to allocate more than
    ``max_elements`` numbers in total, so a hostile config cannot ask for a
    huge allocation.
    """
    token = _restoring_budget.set([int(max_elements)])
    try:
        yield
    finally:
        _restoring_budget.reset(token)


def new_weight(owner, name, shape, initializer, dtype):
    """A new parameter array: drawn from ``initializer`` (any form ``initializers.get``
    reads) in ``dtype``, or zeros inside ``restoring_weights``.

    Raises:
        InvalidArgumentError: ``initializer`` is not one ``initializers.get`` reads.
        ShapeError: inside ``restoring_weights``, the weight exceeds the checkpoint's budget.
    """
    shape = tuple(int(size) for size in shape)
    budget = _restoring_budget.get()       # [elements left], shared by the block's layers
    if budget is None:
        try:
            draw = initializers.get(initializer)
        except InvalidArgumentError as error:
            raise InvalidArgumentError(f"layer '{owner}': weight '{name}': {error}") from None
        return get_backend().asarray(draw(shape, dtype=dtype), dtype=dtype)
    size = int(numpy.prod(shape, dtype=object))
    if size > budget[0]:
        raise ShapeError(f"layer '{owner}': weight '{name}' of shape {shape} is "
                         f"larger than the weights stored in the checkpoint")
    budget[0] -= size
    return get_backend().xp.zeros(shape, dtype=dtype)


def _graph_tensor(trace, value, layer_name):
    """``value`` as a tensor of the active trace: a weight's read, a symbolic tensor as it
    is, anything else a constant."""
    if getattr(type(value), "is_variable", False):
        return value.traced_tensor()
    if getattr(type(value), "keras_tensor", False):
        return value
    return trace.constant(value, f"layer '{layer_name}'")


def _fresh_weight_name(params):
    """Keras's default weight names: "variable", "variable_1", ..."""
    name, count = "variable", 0
    while name in params:
        count += 1
        name = f"variable_{count}"
    return name


def _snake_case(name):
    """``"GlobalAveragePooling1D"`` → ``"global_average_pooling1d"``, ``"LSTM"`` → ``"lstm"``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _host_array(value, what):
    """``numpy.asarray(value)``, with ragged nested lists reported as a ShapeError."""
    try:
        return numpy.asarray(value)
    except ValueError as error:
        raise ShapeError(f"{what}: cannot form an array (ragged nested lists?): {error}") from None


class Layer:
    """Base class of all layers.

    Class attributes a subclass may set:
        supports_masking: the layer can take a boolean ``(N, T)`` mask. A layer
            that cannot is never handed one silently: calling it with a mask
            raises.
        input_kind: ``"float"`` (inputs are cast to floatx) or ``"index"``
            (integer token ids, e.g. Embedding).
        input_ranks: allowed ranks of ``x`` including the batch axis (None: any
            rank ≥ 2).
        fixed_input_axes: axes of ``x`` (negative, batch excluded) whose size is
            fixed once the layer is built; other axes (time) may vary.
        accepts_sparse: the layer takes SciPy CSR input (as a ``CSRMatrix``).
        row_sparse_grads: parameter keys whose gradient rows ``backward``
            reports with ``note_grad_rows``.

    Args:
        name: unique name within a model (default: snake-case class name with
            a counter).
        trainable: whether optimizers update this layer's parameters.
        **kwargs: the weight options named by ``regularizable``, and Keras's
            common keywords (``nnkit.layers.keywords``): ``input_shape`` (shape
            of one example, batch axis excluded; lets a Sequential model build
            before seeing data), ``input_dim``, ``batch_input_shape`` (each
            with Keras 3's warning), ``dtype`` (floatx only), ``autocast``,
            ``activity_regularizer`` (None only). Others are refused.

    Attributes:
        grad_rows: ``{key: rows}``: ``grads[key]`` is zero outside the sorted
            distinct ``rows`` since the last ``zero_grads``; a key that is
            absent may be non-zero anywhere.
    """

    supports_masking = False
    input_kind = "float"
    input_ranks = None
    fixed_input_axes = (-1,)
    accepts_sparse = False
    row_sparse_grads = ()
    #: weights that take ``<name>_regularizer`` / ``<name>_constraint`` arguments
    #: ("kernel", "bias", "recurrent" for recurrent_kernel, "embeddings")
    regularizable = ()
    #: set True by ``build`` (a Sequential model derives it from its layers instead)
    built = False

    def __init__(self, name=None, trainable=True, **kwargs):
        if name is None:
            name = auto_name(_snake_case(type(self).__name__))
        if not isinstance(name, str):
            raise InvalidArgumentError(f"{type(self).__name__}: name must be a string, "
                                       f"received {name!r}")
        self.name = name
        self._dtype = config.floatx()    # as Keras: a later set_floatx changes new layers only
        where = f"layer '{name}' ({type(self).__name__})"
        self.input_shape = keywords.pop_input_shape(where, kwargs)
        keywords.check_common_keywords(where, kwargs)
        self.trainable = validation.flag(where, "trainable", trainable)
        self.params = {}
        self.grads = {}
        self._grad_rows = {}
        self.non_trainable_keys = set()
        self.build_input_shape = None
        self.needs_input_grad = True
        self.inbound_nodes = []       # one per call on symbolic tensors (nnkit.layers.symbolic)
        self._cache = None
        self.regularizers, self.constraints = self._weight_options(where, kwargs)

    def _weight_options(self, where, kwargs):
        """``{param key: Regularizer}``, ``{param key: Constraint}`` from Keras's arguments;
        any other keyword left in ``kwargs`` is refused."""
        found = ({}, {})
        allowed = [f"{w}_{k}" for w in self.regularizable for k in ("regularizer", "constraint")]
        for argument in [key for key in kwargs if key in allowed]:
            weight, _, kind = argument.rpartition("_")
            key = "recurrent_kernel" if weight == "recurrent" else weight
            option = (regularizers if kind == "regularizer" else constraints).get(
                kwargs.pop(argument))
            if option is not None:
                found[kind == "constraint"][key] = option
        keywords.refuse_unrecognized(where, type(self).__name__, kwargs, allowed)
        return found

    @property
    def where(self):
        """How errors name this layer: ``"layer 'dense_1' (Dense)"``; the owner handed to
        ``nnkit.validation``'s argument checks."""
        return f"layer '{self.name}' ({type(self).__name__})"

    def __getattr__(self, name):
        """Keras's weight attributes (``dense.kernel``, ``embedding.embeddings``): a
        parameter's ``Variable``, for layers that keep their weights in ``params`` only."""
        params = self.__dict__.get("params")
        if params is not None and name in params:
            return Variable(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ---- array helpers -------------------------------------------------
    @property
    def xp(self):
        """The current backend's array module."""
        return get_backend().xp

    @property
    def dtype(self):
        """The float dtype of the layer's weights and outputs: floatx when it was made."""
        return self._dtype

    # ---- building --------------------------------------------------------
    def build(self, input_shape):
        """Create parameters for examples of shape ``input_shape`` (batch axis excluded)."""
        self.build_input_shape = tuple(input_shape)
        self.built = True

    def add_weight(self, *args, **kwargs):
        """Create a parameter and its zeroed gradient on the current backend; returns its
        ``Variable`` (Keras's ``layer.kernel``, usable in ops and in ``call()``).

        Two signatures: nnkit's ``add_weight(name, shape, initializer="zeros",
        trainable=True)`` (a name first), and Keras 3's ``add_weight(shape=None,
        initializer=None, dtype=None, trainable=True, autocast=True, regularizer=None,
        constraint=None, aggregation="none", overwrite_with_gradient=False, name=None)``
        (default initializer "glorot_uniform", as Keras's for floats; a regularizer's
        penalty joins the loss, a constraint runs after each step).

        ``trainable=False`` makes a state the layer updates itself (BatchNormalization's
        moving statistics): saved and restored with the weights, never touched by
        optimizers or gradient checks; its gradient stays zero.
        """
        if args and isinstance(args[0], str):
            spec = dict(zip(("name", "shape", "initializer", "trainable"), args), **kwargs)
            spec.setdefault("initializer", "zeros")
        else:
            spec = keywords.keras_weight_arguments(f"layer '{self.name}'", args, kwargs)
            spec["name"] = spec["name"] or _fresh_weight_name(self.params)
        name, trainable = spec["name"], spec.get("trainable", True)
        self.params[name] = new_weight(self.name, name, spec["shape"], spec["initializer"],
                                       self.dtype)
        self.grads[name] = self.xp.zeros_like(self.params[name])
        if not trainable:
            self.non_trainable_keys.add(name)
        for option, module, table in (("regularizer", regularizers, self.regularizers),
                                      ("constraint", constraints, self.constraints)):
            made = module.get(spec.get(option))
            if made is not None:
                table[name] = made
        self._forget_grad_rows(name)
        return Variable(self, name)

    def trainable_keys(self):
        """Keys of the parameters optimizers update (none when ``trainable`` is False); a
        ``call()`` layer's sub-layers count as they are now (``sublayer.trainable = False``
        freezes it, as in Keras)."""
        if not self.trainable:
            return []
        frozen = {f"{role}/{key}" for role, layer in self.sublayers().items()
                  for key in layer.params if key not in layer.trainable_keys()}
        return [key for key in self.params
                if key not in self.non_trainable_keys and key not in frozen]

    #: whether ``forward`` takes ``table_input`` (an inference plan's ``TableInput``: the
    #: input is rows of an Embedding's table; ``nnkit.layers.table_input``)
    takes_table_input = False

    def example_output_shape(self, input_shape):
        """Shape of one output example for one input example of ``input_shape`` (batch
        axis excluded on both; a list of shapes for a layer of several inputs). A layer
        written with ``call()`` finds it by running on a probe batch."""
        if self.uses_call:
            return self.traced_call().example_output_shape(input_shape)
        return tuple(input_shape)

    def ensure_built(self, input_shape, dtype=None):
        """Build the layer for examples of ``input_shape`` (batch axis excluded) if it is not
        built; a ``call()`` layer builds by running on a probe batch of ``dtype`` (default
        its float dtype)."""
        if self.built:
            return
        if self.uses_call:
            self.traced_call().example_output_shape(input_shape, dtype)
        else:
            self.build(input_shape)

    def sublayers(self):
        """``{role: layer}`` of the layers a traced ``call()`` used (none for built-ins)."""
        return self.__dict__.get("_sublayers", {})

    def track_sublayers(self, layers):
        """Expose the sub-layers a traced ``call()`` used: each one's params and grads under
        ``"<attribute>/<key>"`` (aliases of its arrays), as a wrapper exposes its children."""
        tracked = self.__dict__.setdefault("_sublayers", {})
        roles = {id(value): key for key, value in vars(self).items() if isinstance(value, Layer)}
        for layer in layers:
            if layer is self or any(layer is known for known in tracked.values()):
                continue
            role = base = roles.get(id(layer), layer.name)
            while role in tracked:                  # a list's layer named like an attribute
                role = f"{base}_{len(tracked)}"
            tracked[role] = layer
            for key in layer.params:
                self.params[f"{role}/{key}"] = layer.params[key]
                self.grads[f"{role}/{key}"] = layer.grads[key]
            self.non_trainable_keys.update(f"{role}/{key}" for key in layer.non_trainable_keys)

    def compute_output_shape(self, input_shape):
        """Keras's ``compute_output_shape``: shapes *with* the batch axis.

        ``Dense(4).compute_output_shape((None, 10, 8))`` is ``(None, 10, 4)``; a
        layer of several inputs takes a list of shapes; a layer of several
        outputs (``return_state``) returns a list.

        Raises:
            ShapeError: ``input_shape`` is not a shape with a batch axis.
        """
        several = isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and all(
            isinstance(shape, (list, tuple)) for shape in input_shape)
        shapes = list(input_shape) if several else [input_shape]
        if not all(isinstance(shape, (list, tuple)) and len(shape) >= 1 for shape in shapes):
            raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): compute_output_shape "
                             f"expects a shape with the batch axis first, e.g. (None, 8), "
                             f"received {input_shape!r}")
        batch = shapes[0][0]
        examples = [tuple(shape[1:]) for shape in shapes]
        outputs = [(batch,) + tuple(shape)
                   for shape in self.output_shapes(examples if several else examples[0])]
        return outputs[0] if len(outputs) == 1 else outputs

    def compute_mask(self, x, mask):
        """The mask the next layer receives (default: passed through unchanged)."""
        return mask

    def output_shapes(self, input_shape):
        """Shapes of every output (a list; several for ``return_state``), batch axis excluded."""
        return [self.example_output_shape(input_shape)]

    def output_dtype(self, input_dtype):
        """dtype of the outputs for inputs of ``input_dtype`` (floatx by default)."""
        return self.dtype

    # ---- graph models ------------------------------------------------------
    def _only_node(self, what):
        if len(self.inbound_nodes) != 1:
            raise InvalidArgumentError(
                f"layer '{self.name}' has {len(self.inbound_nodes)} nodes (calls on symbolic "
                f"tensors); layer.{what} is defined for a layer called exactly once")
        return self.inbound_nodes[0]

    @property
    def input(self):
        """The symbolic input of the layer's only call (a list for several inputs)."""
        node = self._only_node("input")
        return list(node.inputs) if node.multiple_inputs else node.inputs[0]

    @property
    def output(self):
        """The symbolic output of the layer's only call (a list for several outputs)."""
        node = self._only_node("output")
        return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)

    def get_output_at(self, node_index):
        """The symbolic output of the layer's ``node_index``-th call (Keras's; a list for
        several outputs)."""
        node = self._node_at(node_index, "get_output_at")
        return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)

    def get_input_at(self, node_index):
        """The symbolic input of the layer's ``node_index``-th call (a list for several)."""
        node = self._node_at(node_index, "get_input_at")
        return list(node.inputs) if node.multiple_inputs else node.inputs[0]

    def _node_at(self, index, what):
        if isinstance(index, bool) or not isinstance(index, int) or \
                not -len(self.inbound_nodes) <= index < len(self.inbound_nodes):
            raise InvalidArgumentError(f"layer '{self.name}': {what}({index!r}): the layer has "
                                       f"{len(self.inbound_nodes)} call(s) on symbolic tensors")
        return self.inbound_nodes[index]

    def detach_cache(self):
        """Take what the last training forward kept for backward (a graph runs a shared
        layer once per node and gives each node's cache back before its backward)."""
        cache, self._cache = self._cache, None
        return cache

    def attach_cache(self, cache):
        self._cache = cache

    # ---- running ---------------------------------------------------------
    def __call__(self, x, training=None, mask=None, **kwargs):
        if training is not None and not isinstance(training, (bool, numpy.bool_)):
            raise InvalidArgumentError(f"layer '{self.name}': training must be True, False or "
                                       f"None, received {type(training).__name__} (a second "
                                       f"input? pass several inputs as a list)")
        trace = tracing.active()
        if trace is not None:            # inside a traced call(): weights and arrays too
            x = ([_graph_tensor(trace, v, self.name) for v in x]
                 if isinstance(x, (list, tuple)) else _graph_tensor(trace, x, self.name))
        if is_symbolic(x):
            # an explicit training flag is checked (in a trace) or refused (in a graph,
            # where the model gives it), never dropped: ``training=False`` must not train
            if mask is not None or training is not None:
                kwargs = {**kwargs, "mask": mask, "training": training}
            return call_layer(self, x, kwargs)
        return self.apply(x, training=bool(training), mask=mask, **kwargs)[0]

    def apply(self, x, training=False, mask=None, **kwargs):
        """Validate, build if needed, run ``forward``; returns ``(output, output_mask)``."""
        if self.uses_call:
            if kwargs:
                raise InvalidArgumentError(f"layer '{self.name}': keyword arguments "
                                           f"{sorted(kwargs)} to a call() layer are not "
                                           f"supported by nnkit (give them to __init__)")
            return self.traced_call().apply(x, training, mask)
        x = self.check_input(x)
        mask = self.check_mask(x, mask)
        if not self.built:
            self.build(tuple(x.shape[1:]))
        y = self.forward(x, training=training, mask=mask, **kwargs)
        return y, self.compute_mask(x, mask)

    def call(self, inputs, *args, **kwargs):
        """Keras's way to write a layer: compute the output from ``inputs`` with
        ``nnkit.ops``, operators, weights from ``add_weight`` and sub-layers; nnkit traces
        it and runs the traced graph forward and backward (``nnkit.layers.traced_call``).
        A layer defines either ``call`` or ``forward``/``backward``."""
        raise NotImplementedError(f"layer '{self.name}' ({type(self).__name__}) defines "
                                  f"neither call() nor forward()/backward()")

    @property
    def uses_call(self):
        """Whether the layer is written with ``call()`` (and no hand-written forward)."""
        return type(self).call is not Layer.call and type(self).forward is Layer.forward

    def traced_call(self):
        """The layer's ``TracedCall`` (made on first use; ``nnkit.layers.traced_call``)."""
        if self.__dict__.get("_traced") is None:
            from nnkit.layers.traced_call import TracedCall    # it imports this module
            self._traced = TracedCall(self)
        return self._traced

    def forward(self, x, training=False, mask=None):
        """Compute the output; keep what backward needs only when ``training``."""
        raise NotImplementedError

    def backward(self, dy):
        """Given ``dy = dL/dy``, add into ``grads`` and return ``dx = dL/dx``."""
        if self.uses_call:
            return self.traced_call().backward(dy)
        raise NotImplementedError

    def clear_cache(self):
        """Drop what forward kept for backward (backward does this itself)."""
        self._cache = None

    def zero_grads(self):
        for key, grad in self.grads.items():
            rows = self.grad_rows.get(key)
            if rows is None:
                grad.fill(0)
            else:
                get_backend().zero_rows(grad, rows)
            self._forget_grad_rows(key)

    @property
    def grad_rows(self):
        """``{key: rows}`` of the row-sparse gradients (see the class docstring)."""
        return self._grad_rows

    def _forget_grad_rows(self, key):
        """``grads[key]`` is all zero: no rows touched yet (for ``row_sparse_grads``)."""
        self.grad_rows.pop(key, None)
        if key in self.row_sparse_grads:
            self.grad_rows[key] = self.xp.zeros(0, dtype="int64")

    def note_grad_rows(self, key, rows):
        """Record that ``backward`` changed ``grads[key]`` in ``rows`` only (None: anywhere)."""
        known = self.grad_rows.get(key)
        if known is None:
            return
        if rows is None:
            del self.grad_rows[key]
        else:
            self.grad_rows[key] = rows if known.size == 0 else self.xp.union1d(known, rows)

    # ---- validation ------------------------------------------------------
    def check_input(self, x):
        """Validate ``x`` and return it as a backend array of the right dtype.

        Raises:
            ShapeError: wrong rank or feature size.
            DTypeError: a dtype the layer cannot take.
        """
        if is_sparse(x):
            if not self.accepts_sparse:
                raise DTypeError(f"layer '{self.name}' ({type(self).__name__}) does not accept "
                                 f"sparse input; received {type(x).__name__} {x.shape}")
            x = CSRMatrix.from_matrix(x, get_backend())
            if x.dtype.kind not in "biuf":
                raise DTypeError(f"layer '{self.name}' ({type(self).__name__}): expected numeric "
                                 f"sparse input, received {x.dtype} {x.shape}")
            if x.dtype != self.dtype:
                x = x.astype(self.dtype)
        else:
            x = self._convert_dense(x)
        ranks = self.input_ranks
        if (ranks is None and len(x.shape) < 2) or (ranks is not None and len(x.shape) not in ranks):
            expected = "rank >= 2" if ranks is None else f"rank in {ranks}"
            raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): expected input of "
                             f"{expected} (batch first), received {describe(x)}")
        if 0 in tuple(x.shape):
            raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): the input is empty, "
                             f"received {describe(x)}")
        if self.built and self.fixed_input_axes:      # no fixed axis: any rank (Embedding)
            expected = self.build_input_shape
            received = tuple(x.shape[1:])
            if len(received) != len(expected) or any(
                    received[axis] != expected[axis] for axis in self.fixed_input_axes):
                raise ShapeError(f"layer '{self.name}' ({type(self).__name__}): expected input "
                                 f"of shape (N, {', '.join(map(str, expected))}) (fixed axes "
                                 f"{self.fixed_input_axes}), received {describe(x)}")
        return x

    def _convert_dense(self, x):
        backend = get_backend()
        if not backend.is_array(x):
            x = _host_array(x, f"layer '{self.name}' ({type(self).__name__}): input")
        kind = x.dtype.kind
        if self.input_kind == "index":
            if kind in "bf" and (kind == "b" or bool((x == x.round()).all())):
                x = x.astype("int64")    # Keras casts ids; whole numbers only (no truncation)
            elif kind not in "iu":
                raise DTypeError(f"layer '{self.name}' ({type(self).__name__}): expected integer "
                                 f"token ids (or whole numbers), received {describe(x)}")
            return backend.asarray(x)
        if kind not in "biuf":
            raise DTypeError(f"layer '{self.name}' ({type(self).__name__}): expected numeric "
                             f"input, received {describe(x)}")
        return backend.asarray(x, dtype=self.dtype)

    def check_mask(self, x, mask):
        """Validate ``mask``: boolean ``(N, T)`` matching ``x``; refuse it if unsupported."""
        if mask is None:
            return None
        if not self.supports_masking:
            raise InvalidArgumentError(
                f"layer '{self.name}' ({type(self).__name__}) cannot honour a mask but received "
                f"one; put a layer that consumes the mask (pooling, a recurrent layer without "
                f"return_sequences) before it")
        backend = get_backend()
        if not backend.is_array(mask):
            mask = _host_array(mask, f"layer '{self.name}': mask")
        if mask.dtype != bool:
            if mask.dtype.kind not in "iuf" or not ((mask == 0) | (mask == 1)).all():
                raise DTypeError(f"layer '{self.name}': expected a boolean mask (or 0/1 "
                                 f"values), received {describe(mask)}")
            mask = mask.astype(bool)
        mask = backend.asarray(mask)
        if len(x.shape) < 2 or mask.shape != tuple(x.shape[:2]):
            raise ShapeError(f"layer '{self.name}': expected a mask of shape "
                             f"{tuple(x.shape[:2])} (N, T), received {describe(mask)}")
        return mask

    # ---- weights ---------------------------------------------------------
    def get_weights(self):
        """Parameters as host NumPy copies, in Keras's order."""
        backend = get_backend()
        return [numpy.array(backend.to_numpy(p)) for p in self.params.values()]

    def set_weights(self, weights):
        """Replace the parameters by ``weights`` (a list in ``get_weights`` order).

        Raises:
            NotBuiltError: the layer has no parameters yet.
            ShapeError: wrong number of arrays or a wrong shape.
        """
        weights = list(weights)
        if not self.built and (weights or self.params):
            raise NotBuiltError(f"layer '{self.name}' is not built yet; call it on data or give "
                                f"input_shape before set_weights")
        if len(weights) != len(self.params):
            raise ShapeError(f"layer '{self.name}': set_weights expected {len(self.params)} "
                             f"arrays {list(self.params)}, received {len(weights)}")
        backend = get_backend()
        for (key, current), value in zip(self.params.items(), weights):
            value = numpy.asarray(backend.to_numpy(value) if backend.is_array(value) else value)
            if value.shape != current.shape:
                raise ShapeError(f"layer '{self.name}': weight '{key}' expected shape "
                                 f"{tuple(current.shape)}, received {describe(value)}")
            if value.dtype.kind not in "biuf":
                raise DTypeError(f"layer '{self.name}': weight '{key}' must be numeric, "
                                 f"received {describe(value)}")
            current[...] = backend.asarray(value, dtype=current.dtype)

    def count_params(self):
        return int(sum(p.size for p in self.params.values()))

    # ---- configuration ---------------------------------------------------
    # ---- regularisers and constraints ----------------------------------------
    def _optioned(self, options):
        """``(key, option)`` of the trainable weights among ``options`` (most layers: none)."""
        if not options:
            return []
        keys = set(self.trainable_keys())
        return [(key, option) for key, option in options.items() if key in keys]

    def regularization_penalty(self):
        """``Σ`` of this layer's regulariser penalties (added to the loss)."""
        return sum(option.penalty(self.xp, self.params[key])
                   for key, option in self._optioned(self.regularizers))

    def add_regularization_grads(self):
        """Add the penalties' gradients into ``grads`` (a dense term: the rows are all touched)."""
        for key, option in self._optioned(self.regularizers):
            self.grads[key] += option.gradient(self.xp, self.params[key])
            self.note_grad_rows(key, None)

    def apply_constraints(self):
        """Project the constrained weights in place (after an optimizer step)."""
        for key, option in self._optioned(self.constraints):
            self.params[key][...] = option(self.xp, self.params[key])

    def get_config(self):
        """JSON-serialisable constructor arguments (``from_config`` rebuilds the layer)."""
        config = {"name": self.name, "trainable": self.trainable}
        if self.input_shape is not None:
            config["input_shape"] = list(self.input_shape)
        for options, module, kind in ((self.regularizers, regularizers, "regularizer"),
                                      (self.constraints, constraints, "constraint")):
            for key, option in options.items():
                weight = "recurrent" if key == "recurrent_kernel" else key
                if weight in self.regularizable:       # not add_weight's own options
                    config[f"{weight}_{kind}"] = module.serialize(option)
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuild the layer from ``get_config`` output (a stored ``input_shape`` is restored
        as it was, without the warning a user's ``input_shape=`` argument gets)."""
        config = dict(config)
        shape = config.pop("input_shape", None)
        layer = cls(**config)
        if shape is not None:
            layer.input_shape = tuple(shape)
        return layer

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"
