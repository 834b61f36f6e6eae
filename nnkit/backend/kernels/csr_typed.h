/* Dense's products with a CSR input for one element type; included by
 * cpu_kernels.c with REAL (float or double) and SUFFIX (f32 or f64) defined.
 *
 * X (n, d) in CSR form: indptr (n + 1), indices (nnz) the column of each
 * entry, data (nnz); int64 indices. Dense arrays are C-contiguous. Both
 * products work on the entries directly, so a batch is never densified.
 * A column outside [0, d) is refused before anything is written.
 */

/* out (n, u) = X · w for w (d, u): row i of out sums data[e] · w[indices[e]]
 * over its entries. Returns 0, or -1 for a malformed matrix. */
int NAME(csr_matmul)(int64_t n, const int64_t *indptr, const int64_t *indices,
                     const REAL *data, int64_t d, int64_t u, const REAL *w, REAL *out)
{
    if (!csr_well_formed(n, indptr, indices, d))
        return -1;
    for (int64_t i = 0; i < n; i++) {
        REAL *restrict row = out + i * u;
        memset(row, 0, (size_t)u * sizeof(REAL));
        for (int64_t e = indptr[i]; e < indptr[i + 1]; e++) {
            const REAL *restrict source = w + indices[e] * u;
            REAL value = data[e];
            for (int64_t k = 0; k < u; k++)
                row[k] += value * source[k];
        }
    }
    return 0;
}

/* target (d, u) += Xᵀ · dz for dz (n, u): each entry adds data[e] · dz[i] into
 * row indices[e] of target. Writes the sorted distinct columns that hold
 * entries to changed (room for min(nnz, d)) and returns their count; -1 for
 * a malformed matrix, -3 when out of memory. */
int64_t NAME(csr_add_transposed_product)(int64_t n, const int64_t *indptr,
                                         const int64_t *indices, const REAL *data, int64_t d,
                                         int64_t u, const REAL *dz, REAL *target,
                                         int64_t *changed)
{
    if (!csr_well_formed(n, indptr, indices, d))
        return -1;
    uint64_t *seen = calloc((size_t)((d + 63) / 64), sizeof(uint64_t));
    if (!seen)
        return -3;
    for (int64_t i = 0; i < n; i++) {
        const REAL *restrict gradient = dz + i * u;
        for (int64_t e = indptr[i]; e < indptr[i + 1]; e++) {
            int64_t column = indices[e];
            REAL *restrict row = target + column * u;
            REAL value = data[e];
            seen[column / 64] |= (uint64_t)1 << (column % 64);
            for (int64_t k = 0; k < u; k++)
                row[k] += value * gradient[k];
        }
    }
    int64_t count = collect_bits(seen, d, changed);
    free(seen);
    return count;
}
