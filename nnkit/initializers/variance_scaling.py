"""``VarianceScaling`` and its named settings (Glorot, He, LeCun; uniform and normal).

With ``n`` = fan_in, fan_out or their mean (``mode``) and ``s = scale / max(1, n)``:
"uniform" draws U(-√(3s), √(3s)); "truncated_normal" (also called "normal") draws a
normal truncated at two stddev with stddev ``√s / 0.87962566103423978`` (the stddev of a
standard normal truncated at ±2, so the draws' variance is ``s``); "untruncated_normal"
draws N(0, s).
"""
import math

from nnkit.errors import InvalidArgumentError
from nnkit.initializers.base import RandomInitializer, compute_fans, truncated_normal

#: stddev of a standard normal truncated to [-2, 2]
TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(RandomInitializer):
    """Draws whose variance is ``scale / n`` (see the module docstring)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale <= 0:
            raise InvalidArgumentError(f"initializer VarianceScaling: scale must be a positive "
                                       f"number, received {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise InvalidArgumentError(f"initializer VarianceScaling: mode must be 'fan_in', "
                                       f"'fan_out' or 'fan_avg', received {mode!r}")
        distribution = str(distribution).lower()
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise InvalidArgumentError(f"initializer VarianceScaling: distribution must be "
                                       f"'uniform', 'truncated_normal', 'untruncated_normal' or "
                                       f"'normal', received {distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution
        super().__init__(seed)

    def draw(self, shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        generator = self.generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return generator.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return generator.normal(0.0, math.sqrt(variance), size=shape)
        return truncated_normal(generator, shape, 0.0, math.sqrt(variance) / TRUNCATED_STDDEV)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution}


def _named(class_name, scale, mode, distribution, summary):
    """A ``VarianceScaling`` subclass with fixed settings, taking only ``seed``."""

    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(class_name, (VarianceScaling,), {
        "__init__": __init__, "get_config": get_config, "__module__": __name__,
        "__doc__": f"{summary}: ``VarianceScaling(scale={scale}, mode={mode!r}, "
                   f"distribution={distribution!r})``."})


GlorotUniform = _named("GlorotUniform", 1.0, "fan_avg", "uniform",
                       "Glorot & Bengio (2010), U(-l, l) with l = √(6 / (fan_in + fan_out))")
GlorotNormal = _named("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                      "Glorot & Bengio (2010), truncated normal of variance 2 / (fan_in + "
                      "fan_out)")
HeUniform = _named("HeUniform", 2.0, "fan_in", "uniform",
                   "He et al. (2015), U(-l, l) with l = √(6 / fan_in)")
HeNormal = _named("HeNormal", 2.0, "fan_in", "truncated_normal",
                  "He et al. (2015), truncated normal of variance 2 / fan_in")
LecunUniform = _named("LecunUniform", 1.0, "fan_in", "uniform",
                      "LeCun (1998), U(-l, l) with l = √(3 / fan_in)")
LecunNormal = _named("LecunNormal", 1.0, "fan_in", "truncated_normal",
                     "LeCun (1998), truncated normal of variance 1 / fan_in")
