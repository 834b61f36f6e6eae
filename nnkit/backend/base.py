"""The array backend: one object that owns the array module layers compute with."""


class Backend:
    """An array library behind one small interface, with a table of compiled kernels.

    Layers and optimizers never import numpy or cupy; they use ``self.xp``,
    which is ``get_backend().xp``. The NumPy backend is the reference; the CuPy
    backend overrides only what it must.

    Kernels: ``kernel_table`` maps a kernel's name to its implementation, or to
    None where this backend or build has none (``kernel(name)`` returns the
    same; an unknown name is None too). The NumPy backend fills it from its
    compiled library (``numpy_backend.KERNEL_NAMES``).
    One convention for all of them: a kernel call returns its result (an
    in-place kernel: the array it wrote), or None, having done nothing, when it
    does not take the case (dtype, layout, size); the caller then runs the
    plain ``xp`` path. A kernel object with several entry points (a time loop,
    Adadelta) keeps to it in each entry that can refuse; a time loop is chosen
    before its buffers are laid out and says which dtypes it runs with
    ``supports(dtype)``.

    Attributes:
        name: ``"numpy"`` or ``"cupy"``.
        xp: the array module (``numpy`` or ``cupy``).
        kernel_table: ``{kernel name: implementation or None}``.
    """

    name = None

    def __init__(self, xp, kernel_table=None):
        self.xp = xp
        self.kernel_table = dict(kernel_table or {})

    def kernel(self, name):
        """Kernel ``name``'s implementation, or None where this backend has none."""
        return self.kernel_table.get(name)

    def run_kernel(self, name, *args):
        """Kernel ``name`` on ``args``: its result, or None where there is no such kernel or
        it does not take them (nothing done: run the ``xp`` path)."""
        kernel = self.kernel_table.get(name)
        return None if kernel is None else kernel(*args)

    def asarray(self, array, dtype=None):
        """Move ``array`` onto this backend's device (no copy when already there)."""
        return self.xp.asarray(array, dtype=dtype)

    def matmul(self, a, b, out=None):
        """``a · b`` for 2-D arrays, into ``out`` when given; returns it.

        Shapes: a ``(M, K)``, b ``(K, N)``, out ``(M, N)``. Kernel ``"matmul"``
        where there is one (the NumPy backend's ``compiled_matmul``).
        """
        product = self.run_kernel("matmul", a, b, out)
        return self.xp.matmul(a, b, out=out) if product is None else product

    def to_numpy(self, array):
        """Return ``array`` as a host NumPy array."""
        raise NotImplementedError

    def scatter_add_rows(self, target, index, values):
        """``target[index[i]] += values[i]`` for every ``i``, repeated indices summed.

        Shapes: target ``(V, E)``, index ``(M,)`` integers, values ``(M, E)``.
        Kernel ``"scatter_add_rows"`` where there is one; else sorts the indices
        and sums each run of one index with ``segment_sums``, several times
        faster than ``add.at``. The CuPy backend uses an atomic scatter-add.

        Returns:
            the sorted distinct rows of ``target`` that changed ``(R,)``, or None
            where finding them would cost a pass or a device synchronisation
            (CuPy). Layers pass them on as row hints (``Layer.grad_rows``), so
            that zeroing and the optimizer step touch those rows only.
        """
        changed = self.run_kernel("scatter_add_rows", target, index, values)
        if changed is not None:
            return changed
        xp = self.xp
        if index.size == 0:
            return index
        order = xp.argsort(index, kind="stable")
        ordered = index[order]
        starts = xp.flatnonzero(xp.concatenate([xp.ones(1, bool), ordered[1:] != ordered[:-1]]))
        sums = self.segment_sums(values.take(order, axis=0), xp.diff(starts, append=index.size))
        rows = ordered[starts]
        self.add_to_rows(target, rows, sums)
        return rows

    def take_rows(self, source, rows):
        """``source[rows]`` ``(R, ...)`` for ``rows (R,)`` within ``source``'s first axis."""
        taken = self.run_kernel("take_rows", source, rows)
        return source.take(rows, axis=0) if taken is None else taken

    def add_to_rows(self, target, rows, delta):
        """``target[rows] += delta`` for distinct ``rows (R,)``, ``delta (R, ...)``.

        Without kernel ``"add_to_rows"``: reads the rows with ``take`` (~1.5-3x
        faster than ``target[rows]`` for short rows) and writes them back once.
        """
        if self.run_kernel("add_to_rows", target, rows, delta) is None:
            current = target.take(rows, axis=0)
            current += delta
            target[rows] = current

    def zero_rows(self, target, rows):
        """``target[rows] = 0`` for ``rows (R,)``."""
        if self.run_kernel("zero_rows", target, rows) is None:
            target[rows] = 0

    def add_run_sums(self, target, rows, values, starts, lengths):
        """``target[rows[j]] += values[starts[j]:starts[j] + lengths[j]].sum(axis=0)`` for
        distinct ``rows (R,)``: the sum of each run of consecutive rows of ``values (M, ...)``."""
        xp = self.xp
        if rows.size == 0 or self.run_kernel("add_run_sums", target, rows, values, starts,
                                             lengths) is not None:
            return
        run = xp.repeat(xp.arange(rows.size), lengths)
        positions = starts[run] + (xp.arange(run.size) - (xp.cumsum(lengths) - lengths)[run])
        target[rows] += self.segment_sums(values.take(positions, axis=0), lengths)

    def segment_sums(self, values, lengths):
        """Sum each run of consecutive rows: ``values (M, E)`` in runs of ``lengths (R,)`` → ``(R, E)``.

        Every length is ≥ 1 and they add up to M; ``values`` is overwritten.
        A pairwise (tree) reduction: pass ``s`` adds row ``j + s`` into row
        ``j`` at the offsets 0, 2s, 4s, … of every run longer than ``s``, so
        log2(longest run) vectorised passes that touch only the rows of runs
        longer than one; ``add.reduceat`` takes ~2 µs per run at the sizes of a
        batch, several ms for thousands of runs.
        """
        xp = self.xp
        starts = xp.cumsum(lengths) - lengths
        offset = xp.arange(values.shape[0]) - xp.repeat(starts, lengths)
        length = xp.repeat(lengths, lengths)
        candidates = xp.flatnonzero(length > 1)  # rows of the runs still being summed
        step = 1
        while candidates.size:
            at = offset[candidates]
            rows = candidates[(at % (2 * step) == 0) & (at + step < length[candidates])]
            values[rows] += values[rows + step]
            step *= 2
            candidates = candidates[length[candidates] > step]
        return values[starts]

    def synchronize(self):
        """Block until queued device work is done (a no-op on the CPU)."""

    def is_array(self, value):
        """Whether ``value`` is an array of this backend."""
        return isinstance(value, self.xp.ndarray)

    def __repr__(self):
        return f"<nnkit backend {self.name}>"
