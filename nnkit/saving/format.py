"""The nnkit HDF5 checkpoint layout (documented in README.md, "Checkpoint format").

::

    /                         attrs: format="nnkit", format_version, nnkit_version,
                                     model_config (JSON), training_config (JSON, if compiled),
                                     rng_state (JSON)
    /model_weights/<layer>/<key>            one float dataset per parameter
    /optimizer/slots/<layer>/<key>/<slot>   optimizer state  (attrs: iterations)
    /tokenizer                              uint8 dataset: UTF-8 JSON of the tokenizer config
    /training_state                         resume state (see nnkit.saving.training_state)
"""
FORMAT_NAME = "nnkit"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 * 1024 * 1024
