"""HDF5 checkpoints: ``save_model``/``load_model`` and the safe reader."""
