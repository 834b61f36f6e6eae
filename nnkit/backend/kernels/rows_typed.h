/* Row updates of a C-contiguous (n × e) array for one element type; included
 * by cpu_kernels.c with REAL and SUFFIX defined. */

/* target[rows[i]] += delta[i] for the r distinct rows, delta (r × e).
 * Returns 0, or -1 (nothing written) for a row outside [0, n). */
int NAME(add_to_rows)(int64_t r, const int64_t *rows, int64_t n, int64_t e,
                      const REAL *delta, REAL *target)
{
    if (!indices_in_range(r, rows, n))
        return -1;
    for (int64_t i = 0; i < r; i++) {
        REAL *restrict row = target + rows[i] * e;
        const REAL *restrict change = delta + i * e;
        for (int64_t k = 0; k < e; k++)
            row[k] += change[k];
    }
    return 0;
}
