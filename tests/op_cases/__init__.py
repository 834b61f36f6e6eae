"""Test cases of nnkit's ops, one module per op family file (``elementwise.py`` for
``nnkit/ops/elementwise.py``), gathered by ``tests/test_ops.py``; ``case.py`` (``OpCase``)
and ``common.py`` (input makers shared by several families) hold no cases."""
