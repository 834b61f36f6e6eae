/* Adadelta's update (nnkit/optimizers/adadelta.py) for one element type; included by
 * cpu_kernels.c with REAL, SUFFIX and SQRT defined, after the pragmas that keep the compiler
 * from fusing a multiply and an add into an FMA: each element then goes through NumPy's
 * operations in NumPy's order, and the result has the same bits as the NumPy rule's.
 *
 * param, grad, grad_sq (E[g²]) and update_sq (E[Δ²]) are C-contiguous (n × e). rows (r,
 * distinct) are the rows of grad that may be non-zero, or NULL for every row. On a zero
 * gradient row the rule only decays the two averages (×ρ); instead of passing over the
 * whole table for that, the decays a row is owed are counted (owed, n) and done when the
 * row is next updated or settled, one multiplication per owed step as the eager pass
 * would have done them (the same bits). */

/* The k decays row i of both averages is owed, each a multiplication by rho. */
static void NAME(adadelta_decay)(int64_t e, int64_t k, REAL *grad_sq, REAL *update_sq, REAL rho)
{
    for (int64_t step = 0; step < k; step++)
        for (int64_t j = 0; j < e; j++) {
            grad_sq[j] *= rho;
            update_sq[j] *= rho;
        }
}

static void NAME(adadelta_row)(int64_t e, REAL *param, const REAL *grad, REAL *grad_sq,
                               REAL *update_sq, REAL rho, REAL keep, REAL eps, REAL lr,
                               int scaled)
{
    for (int64_t k = 0; k < e; k++) {
        REAL g = grad[k], work = g * g;
        work *= keep;
        REAL sq = grad_sq[k] * rho;
        sq += work;
        grad_sq[k] = sq;
        REAL update = SQRT(update_sq[k] + eps);
        update /= SQRT(sq + eps);
        update *= g;
        REAL up = update_sq[k] * rho;
        work = update * update;
        work *= keep;
        update_sq[k] = up + work;
        if (scaled)
            update *= lr;
        param[k] -= update;
    }
}

/* One step: the owed decays and the rule on the rows (every row for rows NULL), one more
 * owed decay for every other row. Returns 0, or -1 (nothing written) for a row outside
 * [0, n) or no memory. */
int NAME(adadelta)(int64_t n, int64_t e, int64_t r, const int64_t *rows, int64_t *owed,
                   REAL *param, const REAL *grad, REAL *grad_sq, REAL *update_sq, double rho,
                   double keep, double eps, double lr)
{
    uint64_t *touched = NULL;
    if (rows != NULL) {
        if (!indices_in_range(r, rows, n) || !(touched = calloc((size_t)(n + 63) / 64, 8)))
            return -1;
        for (int64_t i = 0; i < r; i++)
            touched[rows[i] / 64] |= (uint64_t)1 << (rows[i] % 64);
    }
    const REAL p = (REAL)rho, q = (REAL)keep, s = (REAL)eps, l = (REAL)lr;
    const int scaled = lr != 1.0;
    int threads = thread_count((rows ? r : n) * e < 65536 ? 1 : n);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        int64_t at = i * e;
        if (touched == NULL || (touched[i / 64] >> (i % 64) & 1)) {
            NAME(adadelta_decay)(e, owed[i], grad_sq + at, update_sq + at, p);
            owed[i] = 0;
            NAME(adadelta_row)(e, param + at, grad + at, grad_sq + at, update_sq + at,
                               p, q, s, l, scaled);
        } else {
            owed[i] += 1;
        }
    }
    free(touched);
    return 0;
}

/* Do every row's owed decays (the averages become what eager passes would have made). */
void NAME(adadelta_settle)(int64_t n, int64_t e, int64_t *owed, REAL *grad_sq, REAL *update_sq,
                           double rho)
{
    int threads = thread_count(n * e < 65536 ? 1 : n);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        NAME(adadelta_decay)(e, owed[i], grad_sq + i * e, update_sq + i * e, (REAL)rho);
        owed[i] = 0;
    }
}
