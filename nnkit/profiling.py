"""A profiler like Theano's ``profile=True``: where the time of a fit (or any block) went.

    with nnkit.profile() as p:          # or model.fit(..., profile=True)
        model.fit(x, y, epochs=1)
    # prints the table at the end of the block; p.write_csv("profile.csv")

Each row is one *section*: what ran (``forward`` / ``backward`` of a layer, by layer
name; ``loss``, ``metrics``, ``optimizer``, ``batching``, ``callbacks``, ``data
conversion``), its total time, its share of the block's wall time and its call count.
Sections nest, and a row counts only its own time (a layer's ``packing`` and ``loop``
parts are rows of their own, not inside the layer's row), so the shares add up; the time
in no section (the fit loop's own Python) is the row ``other``. With the CuPy backend the
device is synchronised at each section's edges, so a row holds its kernels' time.

When no profile runs, ``section`` returns one shared do-nothing context (a global read
and a call, ~0.1 µs); only sections entered on the thread that started the profile count
(a prefetching thread's batches overlap the main thread's work).
"""
import csv
import threading
import time

from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError

_active = None          # the running Profile, or None


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NOTHING = _Nothing()


def section(kind, name=""):
    """Time the ``with`` block as a row ``(kind, name)`` of the running profile (if any).

    ``kind=None`` makes the block a part of the enclosing section: the row
    ``(its kind, "<its name> · <name>")``, e.g. ``("forward", "lstm · loop")``.
    """
    profile = _active
    if profile is None or threading.get_ident() != profile.thread:
        return _NOTHING
    return _Section(profile, kind, name)


class _Section:
    __slots__ = ("profile", "kind", "name", "start", "children")

    def __init__(self, profile, kind, name):
        self.profile, self.kind, self.name = profile, kind, name

    def __enter__(self):
        profile = self.profile
        stack = profile.stack
        if self.kind is None:
            parent = stack[-1] if stack else None
            self.kind = parent.kind if parent else "other"
            self.name = f"{parent.name} · {self.name}" if parent else self.name
        profile.synchronize()
        self.children = 0.0
        stack.append(self)
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        profile = self.profile
        profile.synchronize()
        elapsed = time.perf_counter() - self.start
        profile.stack.pop()
        if profile.stack:
            profile.stack[-1].children += elapsed
        row = profile.totals.setdefault((self.kind, self.name), [0.0, 0])
        row[0] += elapsed - self.children
        row[1] += 1
        return False


class Profile:
    """Per-section times of one block (use ``nnkit.profile()``).

    Attributes:
        wall: seconds from the start of the block to its end.
        totals: ``{(kind, name): [own seconds, calls]}``.
    """

    def __init__(self, print_fn=print, csv_path=None):
        self.print_fn, self.csv_path = print_fn, csv_path
        self.totals, self.stack, self.wall, self.thread = {}, [], 0.0, None
        self.synchronize = None       # the backend's (a device synchronisation on CuPy)

    def __enter__(self):
        global _active
        if _active is not None:
            raise InvalidArgumentError("nnkit.profile: a profile is already running (profiles "
                                       "do not nest; fit(profile=True) inside a profile block "
                                       "is one of them)")
        self.synchronize = get_backend().synchronize
        self.thread = threading.get_ident()
        _active = self
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        global _active
        self.wall = time.perf_counter() - self._start
        _active = None
        if exc[0] is None:
            if self.print_fn is not None:
                self.print_fn(self.table())
            if self.csv_path is not None:
                self.write_csv(self.csv_path)
        return False

    def rows(self):
        """``[(kind, name, seconds, share of wall time, calls)]``, longest first, with ``other``
        (the time in no section) among them."""
        rows = [(kind, name, seconds, calls) for (kind, name), (seconds, calls)
                in self.totals.items()]
        rows.append(("other", "", max(self.wall - sum(r[2] for r in rows), 0.0), 0))
        wall = self.wall or 1.0
        return [(kind, name, seconds, seconds / wall, calls) for kind, name, seconds, calls
                in sorted(rows, key=lambda r: -r[2])]

    def table(self):
        """The rows as aligned text, with the wall time at the end."""
        lines = [f"{'share':>6}  {'seconds':>9}  {'calls':>7}  {'ms/call':>8}  {'what':<16} name"]
        for kind, name, seconds, share, calls in self.rows():
            per_call = f"{seconds / calls * 1e3:8.3f}" if calls else " " * 8
            lines.append(f"{share * 100:5.1f}%  {seconds:9.4f}  {calls:7d}  {per_call}  "
                         f"{kind:<16} {name}".rstrip())
        lines.append(f"wall time {self.wall:.4f} s")
        return "\n".join(lines)

    def write_csv(self, path):
        """Write ``what,name,seconds,share,calls`` rows (longest first) to ``path``."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["what", "name", "seconds", "share", "calls"])
            for kind, name, seconds, share, calls in self.rows():
                writer.writerow([kind, name, f"{seconds:.6f}", f"{share:.6f}", calls])


def profile(csv_path=None, print_fn=print):
    """A ``with`` block whose sections are timed; prints the table after the block
    (``print_fn=None``: silent) and writes it to ``csv_path`` when given.

    Returns:
        the ``Profile`` (``rows()``, ``table()``, ``write_csv(path)``).
    """
    return Profile(print_fn=print_fn, csv_path=csv_path)
