/* The NumPy backend's compiled hot spots: matrix products and the LSTM and GRU time loops.
 *
 * nnkit/backend/compiled_matmul.py, compiled_lstm.py and compiled_gru.py load these functions
 * with ctypes and document their arguments:
 *
 *  - matmul_f32 / matmul_f64 (gemm_typed.h): C = A · B with AVX-512-wide
 *    micro-tiles, B packed once per call, row blocks (or panels) shared among
 *    OpenMP threads;
 *  - lstm_forward / lstm_backward (lstm_loop_typed.h): every packed step of
 *    one LSTM cell, computing exactly what LSTMCell.step_forward /
 *    step_backward and TimeLoop's per-step GEMMs compute, in the same buffers.
 *    The recurrent kernel is packed once per call instead of once per step,
 *    and the batch's rows are split between threads (row j to thread j mod T):
 *    a sequence's steps depend only on its own past, so the threads never wait
 *    for each other inside the loop;
 *  - gru_forward / gru_backward (gru_loop_typed.h): the same for one GRU cell
 *    (reset_after, tanh candidate), in GRUCell's four-block loop layout;
 *  - csr_take_rows, csr_matmul, csr_add_transposed_product (below and
 *    csr_typed.h): a batch of rows of a CSR matrix and Dense's two products
 *    with it, for bag-of-words inputs (compiled_csr.py);
 *  - zero_rows, take_rows, add_to_rows, scatter_add_rows, add_run_sums (below and
 *    rows_typed.h): the row gathers and row-sparse updates of Backend.zero_rows /
 *    take_rows / add_to_rows / scatter_add_rows / add_run_sums (compiled_rows.py);
 *  - attention_forward / attention_backward (attention_typed.h): scaled dot-product
 *    attention of every (batch, head) pair, scores, masked softmax and weighted values
 *    in one pass per block of query rows, pairs shared among threads (compiled_attention.py);
 *  - layer_norm_forward / layer_norm_backward (layer_norm_typed.h): LayerNormalization
 *    over the last axis, rows shared among threads (compiled_layer_norm.py);
 *  - bias_activation (bias_activation_typed.h): a bias and relu after a product, in place,
 *    in one pass (compiled_bias_activation.py);
 *  - adadelta (adadelta_typed.h): Adadelta's step in one pass, dense or row-sparse
 *    (compiled_adadelta.py).
 *
 * Each typed file is included twice, for float and double. The float version
 * uses its own vectorised tanh (below); the double one uses libm's, so
 * gradient checks in float64 see exact tanh.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef MR             /* rows of one GEMM micro-tile (≤ 8): MR·NV accumulators in registers */
#define MR 8
#endif
#ifndef VBYTES         /* bytes of one vector: 64 (AVX-512), 32 (AVX2), 16 (SSE2, NEON); setup.py */
#define VBYTES 64
#endif
#define NV 2           /* vectors per micro-tile row */
#define KC 256         /* depth of one packed chunk of B in matmul (32 KiB of float panel: L1) */

/* An empty asm that makes the compiler hold vector v in a register (see tile). */
#if defined(__x86_64__) || defined(__i386__)
#define KEEP_IN_REGISTER(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define KEEP_IN_REGISTER(v) __asm__("" : "+w"(v))
#else
#define KEEP_IN_REGISTER(v) ((void)0)
#endif

/* tanh of n floats in place, a vector (VBYTES / 4 floats) at a time with GCC vector types (the
 * compiler does not vectorise a scalar version with selects): odd Taylor series
 * below |x| = 1/8, else ±(1 − 2 / (1 + e^(2|x|))) with e^(2|x|) = 2^n · e^f,
 * n = round(2|x|·log2 e) ≤ 40, |f| ≤ ln(2)/2, e^f by its degree-7 Taylor
 * polynomial. Error against float64 tanh: < 1.1e-7 absolute, < 8e-7 relative
 * (NumPy's float32 tanh: 1.1e-7 relative). NaN stays NaN, ±inf gives ±1. */
typedef float vfloat __attribute__((vector_size(VBYTES)));
typedef float uvfloat __attribute__((vector_size(VBYTES), aligned(4)));
typedef uint32_t vbits __attribute__((vector_size(VBYTES)));
typedef int32_t vint __attribute__((vector_size(VBYTES)));

static inline vfloat select_where(vint mask, vfloat yes, vfloat no)
{
    return (vfloat)(((vbits)yes & (vbits)mask) | ((vbits)no & ~(vbits)mask));
}

static inline vfloat tanh_vfloat(vfloat x)
{
    vbits bits = (vbits)x;
    vfloat ax = (vfloat)(bits & 0x7fffffffu), x2 = x * x;
    vfloat small = x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315))));
    vfloat t = ax * 2.88539008f;                       /* log2(e^(2|x|)) */
    t = select_where((t > 40.0f) | (t != t), (vfloat){0} + 40.0f, t);  /* NaN: a defined int below */
    vint n = __builtin_convertvector(t + 0.5f, vint);
    vfloat f = (t - __builtin_convertvector(n, vfloat)) * 0.693147181f;
    vfloat e_f = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120
                 + f * (1.0f / 720 + f * (1.0f / 5040)))))));
    vfloat two_n = (vfloat)(((vbits)n + 127u) << 23);
    vfloat big = (vfloat)((vbits)(1.0f - 2.0f / (1.0f + e_f * two_n)) | (bits & 0x80000000u));
    return select_where(x != x, x, select_where(ax < 0.125f, small, big));
}

static void tanh_f32(float *x, int64_t n)
{
    const int64_t width = (int64_t)(sizeof(vfloat) / sizeof(float));
    int64_t u = 0;
    for (; u + width <= n; u += width)
        *(uvfloat *)(x + u) = tanh_vfloat(*(const uvfloat *)(x + u));
    if (u < n) {
        vfloat tail = {0};
        memcpy(&tail, x + u, (size_t)(n - u) * sizeof(float));
        tail = tanh_vfloat(tail);
        memcpy(x + u, &tail, (size_t)(n - u) * sizeof(float));
    }
}

static void tanh_f64(double *x, int64_t n)
{
    for (int64_t u = 0; u < n; u++)
        x[u] = tanh(x[u]);
}

/* e^x for x ≤ 0 (a softmax's shifted scores), a vector at a time: e^x = 2^r · e^f with
 * r = round(x·log2 e) (by adding and subtracting 1.5·2^23), f = x − r·ln 2 in two parts
 * (|f| ≤ ln(2)/2), e^f = 1 + f + f²·P(f) with Cephes's degree-5 P for expf. Relative error
 * against float64 exp < 2e-7; below −87 gives 0, NaN stays NaN. */
static inline vfloat exp_nonpositive_vfloat(vfloat x)
{
    vint tiny = x < -87.0f;
    vfloat clamped = select_where(tiny, (vfloat){0} - 87.0f, x);
    vfloat r = (clamped * 1.44269504f + 12582912.0f) - 12582912.0f;
    vfloat f = (clamped - r * 0.693359375f) + r * 2.12194440e-4f;
    vfloat p = (vfloat){0} + 1.9875691500e-4f;
    p = p * f + 1.3981999507e-3f;
    p = p * f + 8.3334519073e-3f;
    p = p * f + 4.1665795894e-2f;
    p = p * f + 1.6666665459e-1f;
    p = p * f + 5.0000001201e-1f;
    vfloat e_f = p * (f * f) + f + 1.0f;
    vint n = __builtin_convertvector(r, vint);
    return select_where(tiny, (vfloat){0}, e_f * (vfloat)(((vbits)n + 127u) << 23));
}

/* x[u] = e^(x[u] − shift) for n floats (each x[u] ≤ shift or NaN); returns their sum. Two
 * vectors a turn: each e^x is a chain of dependent multiply-adds, two chains overlap. */
static float exp_shifted_sum_f32(float *x, int64_t n, float shift)
{
    const int64_t width = (int64_t)(sizeof(vfloat) / sizeof(float));
    vfloat total[2] = {{0}, {0}};
    int64_t u = 0;
    for (; u + 2 * width <= n; u += 2 * width)
        for (int half = 0; half < 2; half++) {
            vfloat e = exp_nonpositive_vfloat(*(const uvfloat *)(x + u + half * width) - shift);
            *(uvfloat *)(x + u + half * width) = e;
            total[half] += e;
        }
    for (; u < n; u += width) {
        int64_t count = n - u < width ? n - u : width;
        vfloat part = (vfloat){0} - INFINITY;    /* past the row: e^−inf = 0 */
        memcpy(&part, x + u, (size_t)count * sizeof(float));
        part = exp_nonpositive_vfloat(part - shift);
        memcpy(x + u, &part, (size_t)count * sizeof(float));
        total[0] += part;
    }
    vfloat both = total[0] + total[1];
    float sum = 0;
    for (int64_t j = 0; j < width; j++)
        sum += both[j];
    return sum;
}

static double exp_shifted_sum_f64(double *x, int64_t n, double shift)
{
    double sum = 0;
    for (int64_t u = 0; u < n; u++)
        sum += x[u] = exp(x[u] - shift);
    return sum;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Threads for `parts` independent parts of work (rows of a loop's first step,
 * row blocks or panels of a product): OpenMP's count (OMP_NUM_THREADS), at most `parts`. */
static int thread_count(int64_t parts)
{
#ifdef _OPENMP
    return (int)min64(omp_get_max_threads(), parts > 0 ? parts : 1);
#else
    (void)parts;
    return 1;
#endif
}

static int thread_index(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Whether each of the count indices (columns, rows) lies in [0, limit). */
static int indices_in_range(int64_t count, const int64_t *indices, int64_t limit)
{
    int64_t bad = 0;
    for (int64_t e = 0; e < count; e++)
        bad |= (indices[e] < 0) | (indices[e] >= limit);
    return !bad;
}

/* Whether a CSR matrix of n rows and d columns is well formed: indptr (n + 1)
 * non-decreasing, every column of its entries in [0, d). */
static int csr_well_formed(int64_t n, const int64_t *indptr, const int64_t *indices, int64_t d)
{
    int64_t decreasing = 0;
    for (int64_t i = 0; i < n; i++)
        decreasing |= indptr[i + 1] < indptr[i];
    return !decreasing && indices_in_range(indptr[n] - indptr[0], indices + indptr[0], d);
}

/* The positions of the set bits of bits (d bits) in increasing order, into out;
 * returns their count. */
static int64_t collect_bits(const uint64_t *bits, int64_t d, int64_t *out)
{
    int64_t count = 0;
    for (int64_t w = 0; w < (d + 63) / 64; w++)
        for (uint64_t word = bits[w]; word; word &= word - 1)
            out[count++] = w * 64 + __builtin_ctzll(word);
    return count;
}

/* Row index[i] of a matrix with n rows, negative indices counted from the end;
 * -1 when outside [-n, n). */
static inline int64_t wrapped_row(int64_t index, int64_t n)
{
    int64_t row = index < 0 ? index + n : index;
    return row >= 0 && row < n ? row : -1;
}

/* Rows index (k) of a CSR matrix with n rows (indptr (n + 1)), step one:
 * out_indptr (k + 1) of the picked rows. Returns their entry count, -1 for
 * an index outside [-n, n), -2 for a picked row whose indptr decreases. */
int64_t csr_take_indptr(int64_t k, const int64_t *index, int64_t n, const int64_t *indptr,
                        int64_t *out_indptr)
{
    out_indptr[0] = 0;
    for (int64_t i = 0; i < k; i++) {
        int64_t row = wrapped_row(index[i], n);
        if (row < 0)
            return -1;
        if (indptr[row + 1] < indptr[row])
            return -2;
        out_indptr[i + 1] = out_indptr[i] + indptr[row + 1] - indptr[row];
    }
    return out_indptr[k];
}

/* Step two, after csr_take_indptr: copy the picked rows' column indices and
 * values (item_size bytes each, any dtype) into out_indices and out_data. */
void csr_take_rows(int64_t k, const int64_t *index, int64_t n, const int64_t *indptr,
                   const int64_t *indices, const char *data, int64_t item_size,
                   const int64_t *out_indptr, int64_t *out_indices, char *out_data)
{
    for (int64_t i = 0; i < k; i++) {
        int64_t row = wrapped_row(index[i], n), start = indptr[row];
        size_t length = (size_t)(out_indptr[i + 1] - out_indptr[i]);
        memcpy(out_indices + out_indptr[i], indices + start, length * sizeof(int64_t));
        memcpy(out_data + out_indptr[i] * item_size, data + start * item_size,
               length * (size_t)item_size);
    }
}

/* Rows rows (r) of a C-contiguous array of n rows of row_bytes bytes set to
 * zero bytes. Returns 0, or -1 (nothing written) for a row outside [0, n). */
int zero_rows(int64_t r, const int64_t *rows, int64_t n, int64_t row_bytes, char *target)
{
    if (!indices_in_range(r, rows, n))
        return -1;
    for (int64_t i = 0; i < r; i++)
        memset(target + rows[i] * row_bytes, 0, (size_t)row_bytes);
    return 0;
}

/* out[i] = source[rows[i]] for the r rows (row_bytes bytes each) of a C-contiguous array of
 * n rows, split between the threads above 1 MiB. Returns 0, or -1 (nothing written) for a
 * row outside [0, n). */
int take_rows(int64_t r, const int64_t *rows, int64_t n, int64_t row_bytes, const char *source,
              char *out)
{
    if (!indices_in_range(r, rows, n))
        return -1;
    int threads = thread_count(r * row_bytes < (1 << 20) ? 1 : r);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < r; i++)
        memcpy(out + i * row_bytes, source + rows[i] * row_bytes, (size_t)row_bytes);
    return 0;
}

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define NAME(x) CAT(x, SUFFIX)                  /* NAME(gemm) → gemm_f32 / gemm_f64 */
#define VL ((int64_t)(VBYTES / sizeof(REAL)))   /* elements per vector */
#define NR (NV * VL)                            /* columns of one micro-tile */

#define REAL float
#define SUFFIX f32
#define TANH tanh_f32
#define EXP_SHIFTED_SUM exp_shifted_sum_f32
#define SQRT sqrtf
#include "gemm_typed.h"
#include "row_reductions_typed.h"
#include "attention_typed.h"
#include "layer_norm_typed.h"
#include "bias_activation_typed.h"
#include "loop_rows_typed.h"
#include "lstm_loop_typed.h"
#include "gru_loop_typed.h"
#include "csr_typed.h"
#include "rows_typed.h"
#undef REAL
#undef SUFFIX
#undef TANH
#undef EXP_SHIFTED_SUM
#undef SQRT

#define REAL double
#define SUFFIX f64
#define TANH tanh_f64
#define EXP_SHIFTED_SUM exp_shifted_sum_f64
#define SQRT sqrt
#include "gemm_typed.h"
#include "row_reductions_typed.h"
#include "attention_typed.h"
#include "layer_norm_typed.h"
#include "bias_activation_typed.h"
#include "loop_rows_typed.h"
#include "lstm_loop_typed.h"
#include "gru_loop_typed.h"
#include "csr_typed.h"
#include "rows_typed.h"
#undef REAL
#undef SUFFIX
#undef TANH
#undef EXP_SHIFTED_SUM
#undef SQRT

/* From here on no multiply-add is fused into an FMA (the optimizer rules' bits are NumPy's). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#define REAL float
#define SUFFIX f32
#define SQRT sqrtf
#include "adadelta_typed.h"
#undef REAL
#undef SUFFIX
#undef SQRT
#define REAL double
#define SUFFIX f64
#define SQRT sqrt
#include "adadelta_typed.h"

/* A Python module with no functions, so the file can be built and found as an
 * extension; nnkit loads the functions above with ctypes. */
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, .m_name = "cpu_kernels", .m_size = -1 };

PyMODINIT_FUNC PyInit_cpu_kernels(void) { return PyModule_Create(&module); }
