"""Cases for ``nnkit/ops/constructors.py``: its ops (``full``, the ``*_like`` family and
``cast``); ``zeros``, ``arange``, ``eye``, ... are plain functions, not ops."""
import numpy as np

from nnkit.ops import constructors as con
from op_cases.case import OpCase


def normal(*shapes):
    return lambda rng: tuple(rng.normal(size=shape) for shape in shapes)


CASES = {
    "Full": [OpCase(lambda: con.Full((2, 3), "float64"), normal(()),
                    lambda fill: np.ones((2, 3)) * fill),
             OpCase(lambda: con.Full([4, 2, 3], "float64"), normal((3,)),     # a broadcast row
                    lambda row: np.stack([np.stack([row, row])] * 4))],
    "ZerosLike": [OpCase(con.ZerosLike, normal((2, 3)), lambda x: np.zeros((2, 3))),
                  OpCase(lambda: con.ZerosLike("int32"), normal((4,)),
                         lambda x: np.zeros(4, np.int32))],
    "OnesLike": [OpCase(con.OnesLike, normal((2, 3)), lambda x: np.ones((2, 3)))],
    "FullLike": [OpCase(con.FullLike, normal((2, 3), ()), lambda x, f: np.ones((2, 3)) * f,
                        grad_inputs=(1,)),
                 OpCase(con.FullLike, normal((2, 3), (3,)),
                        lambda x, row: np.stack([row, row]), grad_inputs=(1,))],
    "Cast": [OpCase(lambda: con.Cast("float64"), normal((2, 3)), lambda x: x),
             OpCase(lambda: con.Cast("float32"), normal((2, 3)),
                    lambda x: np.array(x, dtype=np.float32), grad_inputs=()),
             OpCase(lambda: con.Cast("int32"), lambda rng: (rng.normal(size=(5,)) * 10,),
                    lambda x: np.trunc(x), grad_inputs=()),
             OpCase(lambda: con.Cast("float64"),
                    lambda rng: (rng.integers(-5, 5, size=(3, 2)),),
                    lambda x: x * 1.0)],
}
