"""plot_model and model_to_dot: a model's picture through the optional pydot and graphviz.

``pip install "nnkit[plots]"`` brings pydot; graphviz (the ``dot`` program) comes from the
system's packages (``apt install graphviz``, ``brew install graphviz``, https://graphviz.org).
What is drawn comes from ``nnkit.utils.model_graph``.
"""
import html
import os

from nnkit.errors import InvalidArgumentError, NnkitError
from nnkit.utils.model_graph import model_diagram

INSTALL_PYDOT = 'pip install "nnkit[plots]" (or pip install pydot)'
INSTALL_GRAPHVIZ = "graphviz (apt install graphviz, brew install graphviz, or https://graphviz.org/download/)"


class OptionalDependencyError(NnkitError, ImportError):
    """An optional package or program is missing (an ImportError, as Keras raises)."""


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """A ``pydot.Dot`` of the model (``pydot.Cluster`` with ``subgraph``), as Keras's ``model_to_dot``.

    Args:
        model: a built nnkit model.
        show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable: what
            each layer's box shows (input/output shapes, output dtype, ``name (Class)`` or the
            class only, the activation, whether its weights train).
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        expand_nested: draw nested models as clusters of their layers.
        dpi: image resolution.
        subgraph: return a ``pydot.Cluster`` (for nesting in another picture).
        splines: graphviz edge style (``"ortho"``, ``"curved"``, ``"polyline"``, ``"spline"``, ``"line"``).

    Raises:
        OptionalDependencyError: pydot is not installed (names what to install).
        InvalidArgumentError: an unknown keyword (``layer_range`` is no longer supported, as in Keras 3).
    """
    _check_kwargs(kwargs)
    pydot = _import_pydot("model_to_dot")
    options = {"show_shapes": show_shapes, "show_dtype": show_dtype, "show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}
    diagram = model_diagram(model, expand_nested=expand_nested)
    if subgraph:
        dot = pydot.Cluster(graph_name=model.name, style="dashed", label=model.name, labeljust="l")
    else:
        dot = pydot.Dot(rankdir=rankdir, concentrate=True, dpi=dpi, splines=splines)
        dot.set_node_defaults(shape="record")
    _draw(pydot, dot, diagram, options)
    for source, destination in diagram.all_edges():
        dot.add_edge(pydot.Edge(str(id(source)), str(id(destination)), penwidth="2"))
    return dot


def _draw(pydot, dot, diagram, options):
    """Add the diagram's boxes to ``dot`` and each expanded nested model as a dashed cluster."""
    for box in diagram.boxes:
        dot.add_node(pydot.Node(str(id(box.layer)), label=box_label(box, **options), fontname="Helvetica",
                                border="0", margin="0"))
    for cluster in diagram.clusters:
        inner = pydot.Cluster(graph_name=cluster.model.name, style="dashed", label=cluster.model.name,
                              labeljust="l")
        _draw(pydot, inner, cluster, options)
        dot.add_subgraph(inner)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=False,
               rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
               show_trainable=False, splines="ortho", **kwargs):
    """Draw the model into an image file (Keras's ``keras.utils.plot_model``).

    Args:
        to_file: the image; its extension picks the format (``.png`` when it has none).
        The others: as ``model_to_dot`` (``show_layer_names`` defaults to False, as in Keras 3).

    Returns:
        An ``IPython.display.Image`` of the file when IPython is installed (not for PDF), else None.

    Raises:
        OptionalDependencyError: pydot or graphviz is missing (names what to install).

    Example:
        >>> nnkit.utils.plot_model(model, "model.png", show_shapes=True)  # doctest: +SKIP
    """
    _check_kwargs(kwargs)
    pydot = _import_pydot("plot_model")
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, pydot.PydotException) as error:
        raise OptionalDependencyError(f"plot_model needs {INSTALL_GRAPHVIZ}; its dot program could not "
                                      f"run: {error}") from None
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
                       dpi=dpi, show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension == "pdf":
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    return display.Image(filename=to_file)


def box_label(box, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    """Graphviz HTML-like label of one box: a title row, then the rows asked for."""
    layer = box.layer
    title = (f"<b>{_text(layer.name)}</b> ({type(layer).__name__})" if show_layer_names
             else f"<b>{type(layer).__name__}</b>")
    cells = []
    if show_shapes:
        if type(layer).__name__ != "InputLayer":
            cells.append(("white", "black", f"Input shape: <b>{_text(_shape_text(box.input_shape))}</b>"))
        cells.append(("white", "black", f"Output shape: <b>{_text(_shape_text(box.output_shape))}</b>"))
    if show_dtype:
        cells.append(("white", "black", f"Output dtype: <b>{_text(box.output_dtype or '?')}</b>"))
    if show_trainable and getattr(layer, "params", None):
        cells.append(("forestgreen", "white", "<b>Trainable</b>") if layer.trainable
                     else ("firebrick", "white", "<b>Non-trainable</b>"))
    width = max(1, len(cells))
    rows = [f'<tr><td colspan="{width}" bgcolor="black"><font point-size="16" color="white">{title}'
            f"</font></td></tr>"]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = getattr(activation, "name", None) or getattr(activation, "__name__", str(activation))
        rows.append(f'<tr><td colspan="{width}" bgcolor="white"><font point-size="14">Activation: '
                    f"<b>{_text(name)}</b></font></td></tr>")
    if cells:
        rows.append("<tr>" + "".join(f'<td bgcolor="{background}"><font point-size="14" color="{color}">'
                                     f"{text}</font></td>" for background, color, text in cells) + "</tr>")
    return '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">' + "".join(rows) + "</table>>"


def _shape_text(shape):
    return "?" if shape is None else str(shape)


def _text(value):
    return html.escape(str(value))


def _check_kwargs(kwargs):
    if kwargs.pop("layer_range", None) is not None:
        raise InvalidArgumentError("plot_model: the layer_range argument is no longer supported (Keras 3)")
    if kwargs:
        raise InvalidArgumentError(f"plot_model: unrecognized keyword arguments {sorted(kwargs)}")


def _import_pydot(function):
    try:
        import pydot
    except ImportError:
        raise OptionalDependencyError(f"{function} needs pydot and graphviz: {INSTALL_PYDOT}, and "
                                      f"{INSTALL_GRAPHVIZ}") from None
    return pydot
