"""C sources of the NumPy backend's compiled hot spot (built by ``pip install``; see ``compiled_lstm``)."""
