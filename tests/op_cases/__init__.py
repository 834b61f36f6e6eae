"""Test cases of nnkit's ops, one module per op family (``elementwise.py`` for
``nnkit/ops/elementwise.py``), gathered by ``tests/test_ops.py``."""
