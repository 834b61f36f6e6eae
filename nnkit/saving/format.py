"""The nnkit HDF5 checkpoint layout (documented in README.md, "Checkpoint format").

::

    /                         attrs: format="nnkit", format_version, nnkit_version,
                                     model_config (JSON), training_config (JSON, if compiled),
                                     rng_state (JSON)
    /model_weights/<layer>/<key>            one float dataset per parameter
    /optimizer/slots/<layer>/<key>/<slot>   optimizer state  (attrs: iterations)
    /tokenizer                              uint8 dataset: UTF-8 JSON of the tokenizer config
    /training_state                         resume state (see nnkit.saving.training_state):
                                            attrs state (JSON), state_version; datasets
                                            order, batch_lengths (int64)

Text attributes are fixed-length UTF-8 strings (variable-length above ~60 KB);
the reader accepts both. Datasets are plain: contiguous, uncompressed, no
filters, stored in the file; the reader refuses anything else.

Reading never unpickles or evaluates; links must be hard links inside the file;
every dataset's dtype, shape and stored size are checked before it is read; a
``format_version`` newer than ``FORMAT_VERSION`` is refused with a message.
"""
FORMAT_NAME = "nnkit"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 * 1024 * 1024
