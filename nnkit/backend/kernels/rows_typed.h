/* Row updates of a C-contiguous (n × e) array for one element type; included
 * by cpu_kernels.c with REAL and SUFFIX defined. */

/* row += change, e elements. */
static inline void NAME(add_row)(int64_t e, const REAL *restrict change, REAL *restrict row)
{
    for (int64_t k = 0; k < e; k++)
        row[k] += change[k];
}

/* target[rows[i]] += delta[i] for the r distinct rows, delta (r × e).
 * Returns 0, or -1 (nothing written) for a row outside [0, n). */
int NAME(add_to_rows)(int64_t r, const int64_t *rows, int64_t n, int64_t e,
                      const REAL *delta, REAL *target)
{
    if (!indices_in_range(r, rows, n))
        return -1;
    for (int64_t i = 0; i < r; i++)
        NAME(add_row)(e, delta + i * e, target + rows[i] * e);
    return 0;
}

/* target[index[i]] += values[i] for the m rows of values (m × e), repeated indices summed
 * in index order (one pass, no sort). The distinct rows changed go, sorted, into rows (room
 * for min(m, n)); returns their count, or -1 (nothing written) for an index outside [0, n)
 * or no memory. */
int64_t NAME(scatter_add_rows)(int64_t m, const int64_t *index, int64_t n, int64_t e,
                               const REAL *values, REAL *target, int64_t *rows)
{
    uint64_t *touched;
    if (!indices_in_range(m, index, n) || !(touched = calloc((size_t)(n + 63) / 64, 8)))
        return -1;
    for (int64_t i = 0; i < m; i++) {
        NAME(add_row)(e, values + i * e, target + index[i] * e);
        touched[index[i] / 64] |= (uint64_t)1 << (index[i] % 64);
    }
    int64_t count = collect_bits(touched, n, rows);
    free(touched);
    return count;
}

/* target[rows[j]] += values[starts[j]] + … + values[starts[j] + lengths[j] − 1] for the r
 * runs of consecutive rows of values (m × e), rows distinct (runs split between threads).
 * Returns 0, or -1 (nothing written) for a row outside [0, n) or a run outside [0, m). */
int NAME(add_run_sums)(int64_t r, const int64_t *rows, const int64_t *starts,
                       const int64_t *lengths, int64_t n, int64_t e, int64_t m,
                       const REAL *values, REAL *target)
{
    int64_t bad = !indices_in_range(r, rows, n), elements = 0;
    for (int64_t j = 0; j < r; j++) {
        bad |= (starts[j] < 0) | (lengths[j] < 0) | (starts[j] > m - lengths[j]);
        elements += lengths[j] * e;
    }
    if (bad)
        return -1;
    int threads = thread_count(elements < 65536 ? 1 : r);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t j = 0; j < r; j++)
        for (int64_t i = starts[j]; i < starts[j] + lengths[j]; i++)
            NAME(add_row)(e, values + i * e, target + rows[j] * e);
    return 0;
}
