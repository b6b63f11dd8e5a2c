// Optional native accelerator: OpenBLAS sgemm on float32 data that lives inside one ArrayBuffer (the
// tfjs wasm backend's heap), zero-copy. Batched calls loop in C (stride 0 broadcasts an operand).
// Also fused kernels for what dominated a training step besides matmul: the softmax cross-entropy over
// the vocabulary (a vectorised exp; the JS loop took 25-40% of a step), RMSNorm, SwiGLU, rope with the
// head transpose, and the masked attention softmax, each forward and backward. setThreads(n > 1) splits
// GEMMs and the heavy fused kernels across the kit's own pool of n threads (see Pool).
#include <node_api.h>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>
#ifdef KIT_ACCELERATE
#include <Accelerate/Accelerate.h>
static void openblas_set_num_threads(int) {}
static int openblas_get_num_threads(void) { return 0; }
#else
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

// ---- Denormals. Subnormal floats (|x| < 1.2e-38) take a microcode slow path in the BLAS and in
// vector code: a SASRec run's attention weights drift into that range as its attention sharpens, and
// its GEMMs then ran 10-15x slower (epochs 8 s -> 40 s). Every native call and every pool thread flushes
// them to zero (x86 MXCSR FTZ + DAZ; aarch64 FPCR FZ); the calling thread's mode is restored on return,
// so JS and wasm keep IEEE semantics.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline unsigned FpModeGet() { return _mm_getcsr(); }
static inline void FpModeSet(unsigned m) { _mm_setcsr(m); }
static const unsigned kFlushBits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
#elif defined(__aarch64__)
static inline unsigned FpModeGet() { uint64_t r; __asm__ volatile("mrs %0, fpcr" : "=r"(r)); return (unsigned)r; }
static inline void FpModeSet(unsigned m) { uint64_t r = m; __asm__ volatile("msr fpcr, %0" : : "r"(r)); }
static const unsigned kFlushBits = 1u << 24;  // FZ
#else
static inline unsigned FpModeGet() { return 0; }
static inline void FpModeSet(unsigned) {}
static const unsigned kFlushBits = 0;
#endif
struct FlushDenormals {
  unsigned saved;
  FlushDenormals() : saved(FpModeGet()) { FpModeSet(saved | kFlushBits); }
  ~FlushDenormals() { FpModeSet(saved); }
};
// An N-API entry point that runs F with denormals flushed.
template <napi_value (*F)(napi_env, napi_callback_info)>
static napi_value Flushed(napi_env env, napi_callback_info info) {
  FlushDenormals guard;
  return F(env, info);
}

static bool GetArgs(napi_env env, napi_callback_info info, size_t want, napi_value* a) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, a, nullptr, nullptr) != napi_ok || argc != want) {
    napi_throw_error(env, nullptr, "kitgemm: wrong number of arguments");
    return false;
  }
  return true;
}

// ---- Threads. The kit's own pool runs everything in parallel: every GEMM is split into row (or
// column, or batch) blocks, each a one-thread BLAS call, and the heavy fused kernels split their rows.
// The BLAS itself stays on one thread, so that no second pool of threads spins on the cores the kit's
// threads need (OpenBLAS's idle workers busy-wait for a while after each call). setThreads(n) counts
// the calling thread: n - 1 helpers, which spin briefly between jobs and then sleep.
static int g_threads = 1;
#ifndef KIT_SPIN_US
#define KIT_SPIN_US 200
#endif

static inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

class Pool {
 public:
  static constexpr std::chrono::microseconds kSpin{KIT_SPIN_US};
  // Runs f(tid, nt) for tid < nt, the caller taking tid 0; nt is capped at the helpers + 1. Calls from
  // a second thread while a job runs (worker_threads sharing the addon) run on the caller alone.
  void Run(int nt, const std::function<void(int, int)>& f) {
    if (nt > (int)helpers_.size() + 1) nt = (int)helpers_.size() + 1;
    std::unique_lock<std::mutex> busy(run_, std::try_to_lock);
    if (nt <= 1 || !busy.owns_lock()) { f(0, 1); return; }
    {
      std::lock_guard<std::mutex> l(m_);
      job_ = &f; nt_ = nt;
      left_.store((int)helpers_.size(), std::memory_order_relaxed);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    f(0, nt);
    for (int spins = 0; left_.load(std::memory_order_acquire) != 0; spins++) {
      if (spins < 20000) CpuRelax(); else std::this_thread::yield();
    }
  }
  // n helper threads (joins the old ones first).
  void Resize(int n) {
    std::lock_guard<std::mutex> busy(run_);
    if ((int)helpers_.size() == n) return;
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& t : helpers_) t.join();
    helpers_.clear();
    stop_ = false;
    const uint64_t g = gen_.load();
    for (int i = 0; i < n; i++) helpers_.emplace_back([this, i, g] { Loop(i + 1, g); });
  }

 private:
  void Loop(int tid, uint64_t seen) {
    FpModeSet(FpModeGet() | kFlushBits);  // helpers run kit kernels only
    for (;;) {
      // spin up to kSpin for the next job (the JS between two kernels of a step is usually shorter;
      // waking a sleeping thread costs tens of microseconds), then sleep
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int spins = 1; gen_.load(std::memory_order_acquire) == seen; spins++) {
        CpuRelax();
        if (spins % 256 == 0 && std::chrono::steady_clock::now() > until) break;
      }
      std::unique_lock<std::mutex> l(m_);
      cv_.wait(l, [&] { return gen_.load(std::memory_order_relaxed) != seen; });
      seen = gen_.load(std::memory_order_relaxed);
      if (stop_) return;
      const std::function<void(int, int)>* f = job_;
      const int nt = nt_;
      l.unlock();
      if (tid < nt) (*f)(tid, nt);
      left_.fetch_sub(1, std::memory_order_release);
    }
  }
  std::mutex run_, m_;
  std::condition_variable cv_;
  std::vector<std::thread> helpers_;
  const std::function<void(int, int)>* job_ = nullptr;
  int nt_ = 1;
  bool stop_ = false;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> left_{0};
};
// Never destroyed: joinable threads in a static destructor would abort the process at exit.
static Pool* const g_pool = new Pool();

// Runs f(begin, end) over [0, n) in contiguous chunks, one per thread, when g_threads > 1 and each
// chunk gets at least minPer items; otherwise f(0, n). Every item is computed exactly as in the
// one-thread loop, so results do not depend on the thread count.
static void ParallelFor(int64_t n, int64_t minPer, const std::function<void(int64_t, int64_t)>& f) {
  int64_t nt = g_threads;
  if (minPer > 0 && nt > n / minPer) nt = n / minPer;
  if (nt <= 1) { f(0, n); return; }
  g_pool->Run((int)nt, [&](int t, int k) { f(n * t / k, n * (t + 1) / k); });
}
// Work per thread below which splitting costs more than it gains (floats touched; multiply-adds).
static const int64_t kMinFloatsPerThread = 1 << 18;
static const double kMinMacsPerThread = 1 << 21;

// sgemmBatched(buffer, offA, strideA, offB, strideB, offC, strideC, batch, M, N, K, transA, transB)
// offsets and strides in bytes; C[i] = op(A[i]) op(B[i]), row-major.
static napi_value SgemmBatched(napi_env env, napi_callback_info info) {
  napi_value a[13];
  if (!GetArgs(env, info, 13, a)) return nullptr;
  void* data; size_t len;
  if (napi_get_arraybuffer_info(env, a[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kitgemm: first argument must be an ArrayBuffer");
    return nullptr;
  }
  int64_t v[7]; int32_t dims[4]; bool tA, tB;
  for (int i = 0; i < 6; i++) napi_get_value_int64(env, a[1 + i], &v[i]);
  for (int i = 0; i < 4; i++) napi_get_value_int32(env, a[7 + i], &dims[i]);
  napi_get_value_bool(env, a[11], &tA); napi_get_value_bool(env, a[12], &tB);
  const int64_t oA = v[0], sA = v[1], oB = v[2], sB = v[3], oC = v[4], sC = v[5];
  const int batch = dims[0], M = dims[1], N = dims[2], K = dims[3];
  const int64_t last = (int64_t)(batch - 1);
  if (oA < 0 || oB < 0 || oC < 0 || (uint64_t)(oA + last * sA + (int64_t)M * K * 4) > len ||
      (uint64_t)(oB + last * sB + (int64_t)K * N * 4) > len || (uint64_t)(oC + last * sC + (int64_t)M * N * 4) > len) {
    napi_throw_range_error(env, nullptr, "kitgemm: operands outside the buffer");
    return nullptr;
  }
  char* base = (char*)data;
  const int lda = tA ? M : K, ldb = tB ? K : N;
  // rows [i0, i1) and columns [j0, j1) of item b's C
  auto block = [&](int64_t b, int i0, int i1, int j0, int j1) {
    const float* A = (const float*)(base + oA + b * sA) + (tA ? i0 : (int64_t)i0 * K);
    const float* B = (const float*)(base + oB + b * sB) + (tB ? (int64_t)j0 * K : j0);
    float* C = (float*)(base + oC + b * sC) + (int64_t)i0 * N + j0;
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, i1 - i0, j1 - j0, K, 1.0f,
                A, lda, B, ldb, 0.0f, C, N);
  };
  const double macs = (double)M * N * K, all = macs * batch;
  const int64_t maxThreads = (int64_t)(all / kMinMacsPerThread);
  const int nt = (int)(g_threads < maxThreads ? g_threads : (maxThreads < 1 ? 1 : maxThreads));
  if (nt > 1 && batch >= nt && sC != 0) {
    // a batch (attention): whole items per thread; a broadcast output (stride 0) would race, so not here
    g_pool->Run(nt, [&](int t, int k) { for (int64_t b = batch * t / k; b < batch * (t + 1) / k; b++) block(b, 0, M, 0, N); });
  } else if (nt > 1) {
    // one big GEMM at a time: split the longer side of C into blocks (multiples of 16 where possible)
    const bool rows = M >= N;
    const int len = rows ? M : N;
    for (int64_t b = 0; b < batch; b++) {
      g_pool->Run(nt, [&](int t, int k) {
        int e0 = (int)((int64_t)len * t / k), e1 = (int)((int64_t)len * (t + 1) / k);
        if (len >= 16 * k) { e0 = t == 0 ? 0 : (e0 + 8) / 16 * 16; e1 = t == k - 1 ? len : (e1 + 8) / 16 * 16; }
        if (e1 <= e0) return;
        if (rows) block(b, e0, e1, 0, N); else block(b, 0, M, e0, e1);
      });
    }
  } else {
    for (int64_t b = 0; b < batch; b++) block(b, 0, M, 0, N);
  }
  return nullptr;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define KIT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KIT_CLONES
#endif

// exp(z) for z <= 0 (Cody-Waite reduction, degree-7 Taylor on |r| <= ln2/2: ~1 ulp), 0 below -87.
static inline __attribute__((always_inline)) float ExpNeg(float z) {
  const float big = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
  float zc = z < -87.0f ? -87.0f : z;
  float k = (zc * 1.44269504088896341f + big) - big;
  float r = zc - k * 0.693145751953125f - k * 1.428606765330187e-06f;
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.16666667f + r * (0.041666668f + r * (0.008333334f + r * (0.0013888889f + r * 0.00019841270f))))));
  int32_t bits = ((int32_t)k + 127) << 23;
  float s; std::memcpy(&s, &bits, 4);
  return z < -87.0f ? 0.0f : p * s;
}

// One row: d = exp(x - max), returns the sum and writes the max (omp simd: vectorised; float sums
// over blocks of 256, accumulated in double).
KIT_CLONES static double ExpRow(const float* x, float* d, int V, float* mxOut) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int j = 0; j < V; j++) mx = x[j] > mx ? x[j] : mx;
  double s = 0;
  for (int j0 = 0; j0 < V; j0 += 256) {
    const int j1 = j0 + 256 < V ? j0 + 256 : V;
    float bs = 0;
#pragma omp simd reduction(+ : bs)
    for (int j = j0; j < j1; j++) {
      const float e = ExpNeg(x[j] - mx);
      d[j] = e;
      bs += e;
    }
    s += bs;
  }
  *mxOut = mx;
  return s;
}

KIT_CLONES static void ScaleRow(float* d, int V, float inv) {
  for (int j = 0; j < V; j++) d[j] *= inv;
}

// softmaxXent(buffer, offX, offY, offLoss, offD, N, V): per row r with target t = y[r] >= 0,
// loss[r] = logsumexp(x_r) - x_r[t] and d_r = softmax(x_r) - onehot(t); rows with t < 0 get 0 and 0.
// x [N, V] float32, y [N] int32, loss [N], d [N, V] float32; offsets in bytes.
static napi_value SoftmaxXent(napi_env env, napi_callback_info info) {
  napi_value a[7];
  if (!GetArgs(env, info, 7, a)) return nullptr;
  void* data; size_t len;
  if (napi_get_arraybuffer_info(env, a[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kitgemm: first argument must be an ArrayBuffer");
    return nullptr;
  }
  int64_t o[4]; int32_t N, V;
  for (int i = 0; i < 4; i++) napi_get_value_int64(env, a[1 + i], &o[i]);
  napi_get_value_int32(env, a[5], &N); napi_get_value_int32(env, a[6], &V);
  const int64_t nv = (int64_t)N * V * 4;
  if (N < 0 || V <= 0 || o[0] < 0 || o[1] < 0 || o[2] < 0 || o[3] < 0 || (uint64_t)(o[0] + nv) > len ||
      (uint64_t)(o[1] + (int64_t)N * 4) > len || (uint64_t)(o[2] + (int64_t)N * 4) > len || (uint64_t)(o[3] + nv) > len) {
    napi_throw_range_error(env, nullptr, "kitgemm: operands outside the buffer");
    return nullptr;
  }
  char* base = (char*)data;
  const float* x = (const float*)(base + o[0]);
  const int32_t* y = (const int32_t*)(base + o[1]);
  float* loss = (float*)(base + o[2]);
  float* d = (float*)(base + o[3]);
  ParallelFor(N, 1 + kMinFloatsPerThread / V, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * V;
      float* dr = d + r * V;
      const int32_t t = y[r];
      if (t < 0 || t >= V) { loss[r] = 0; std::memset(dr, 0, (size_t)V * 4); continue; }
      float mx;
      const double s = ExpRow(xr, dr, V, &mx);
      ScaleRow(dr, V, (float)(1.0 / s));
      dr[t] -= 1.0f;
      loss[r] = (float)(std::log(s) + (double)mx - (double)xr[t]);
    }
  });
  return nullptr;
}

// ---- Fused elementwise kernels of the decoder (RMSNorm, SwiGLU, rope + head transpose, masked softmax),
// forward and backward, on float32 data in the heap. Each takes (buffer, byte offsets..., sizes...).

// Reads the buffer and n numbers after it.
static bool HeapArgs(napi_env env, napi_callback_info info, size_t n, char** base, size_t* len, double* v) {
  napi_value a[20];
  if (n + 1 > 20 || !GetArgs(env, info, n + 1, a)) return false;
  void* data;
  if (napi_get_arraybuffer_info(env, a[0], &data, len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "kitgemm: first argument must be an ArrayBuffer");
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (napi_get_value_double(env, a[1 + i], &v[i]) != napi_ok) {
      napi_throw_type_error(env, nullptr, "kitgemm: arguments after the buffer must be numbers");
      return false;
    }
  }
  *base = (char*)data;
  return true;
}

// Whether [off, off + nFloats * 4) lies inside the buffer; throws otherwise.
static bool Inside(napi_env env, size_t len, double off, double nFloats) {
  if (off < 0 || nFloats < 0 || off + nFloats * 4 > (double)len) {
    napi_throw_range_error(env, nullptr, "kitgemm: operands outside the buffer");
    return false;
  }
  return true;
}

static inline float Sigmoid(float g) {
  const float e = ExpNeg(g >= 0 ? -g : g);
  return g >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

KIT_CLONES static float RmsInv(const float* xi, int D, float eps) {
  float ss = 0;
#pragma omp simd reduction(+ : ss)
  for (int j = 0; j < D; j++) ss += xi[j] * xi[j];
  return (float)(1.0 / std::sqrt((double)(ss / (float)D) + (double)eps));
}

KIT_CLONES static void RmsNormRows(const float* x, const float* w, float* y, int64_t N, int D, float eps) {
  for (int64_t i = 0; i < N; i++) {
    const float* xi = x + i * D;
    float* yi = y + i * D;
    const float ri = RmsInv(xi, D, eps);
#pragma omp simd
    for (int j = 0; j < D; j++) yi[j] = (xi[j] * ri) * w[j];
  }
}

// rmsNorm(buffer, offX, offW, offY, N, D, eps): y = x * r * w over rows of D, r = 1 / sqrt(mean(x^2) + eps).
static napi_value RmsNorm(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[6];
  if (!HeapArgs(env, info, 6, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[3]; const int D = (int)v[4];
  if (!Inside(env, len, v[0], (double)N * D) || !Inside(env, len, v[1], D) || !Inside(env, len, v[2], (double)N * D)) return nullptr;
  const float* x = (const float*)(b + (int64_t)v[0]); const float* w = (const float*)(b + (int64_t)v[1]);
  float* y = (float*)(b + (int64_t)v[2]);
  ParallelFor(N, 1 + kMinFloatsPerThread / D, [&](int64_t i0, int64_t i1) { RmsNormRows(x + i0 * D, w, y + i0 * D, i1 - i0, D, (float)v[5]); });
  return nullptr;
}

// dx (when non-null) and dw (when non-null) of rmsNorm, r recomputed per row.
KIT_CLONES static void RmsNormGradRows(const float* dy, const float* x, const float* w, float* dx, float* dw, int64_t N, int D, float eps) {
  if (dw) for (int j = 0; j < D; j++) dw[j] = 0;
  for (int64_t i = 0; i < N; i++) {
    const float* xi = x + i * D; const float* dyi = dy + i * D;
    const float ri = RmsInv(xi, D, eps);
    if (dx) {
      float* dxi = dx + i * D;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int j = 0; j < D; j++) dot += (dyi[j] * w[j]) * xi[j];
      const float c = ri * ri * ri * dot / (float)D;
#pragma omp simd
      for (int j = 0; j < D; j++) dxi[j] = ri * (dyi[j] * w[j]) - xi[j] * c;
    }
    if (dw) {
#pragma omp simd
      for (int j = 0; j < D; j++) dw[j] += dyi[j] * (xi[j] * ri);
    }
  }
}

// rmsNormGrad(buffer, offDy, offX, offW, offDx, offDw, N, D, eps): gradients of rmsNorm w.r.t. x [N, D]
// and w [D]; an offset of -1 skips that gradient.
static napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[8];
  if (!HeapArgs(env, info, 8, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[5]; const int D = (int)v[6]; const double nd = (double)N * D;
  const bool wantDx = v[3] >= 0, wantDw = v[4] >= 0;
  if (!Inside(env, len, v[0], nd) || !Inside(env, len, v[1], nd) || !Inside(env, len, v[2], D) || (wantDx && !Inside(env, len, v[3], nd)) ||
      (wantDw && !Inside(env, len, v[4], D))) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  const float eps = (float)v[7];
  const int64_t minPer = 1 + kMinFloatsPerThread / D;
  if (g_threads <= 1 || N < 2 * minPer) {  // one pass for both
    RmsNormGradRows(F(0), F(1), F(2), wantDx ? F(3) : nullptr, wantDw ? F(4) : nullptr, N, D, eps);
    return nullptr;
  }
  // split: dx by rows; dw, a sum over all rows, in one pass after
  if (wantDx) ParallelFor(N, minPer, [&](int64_t i0, int64_t i1) { RmsNormGradRows(F(0) + i0 * D, F(1) + i0 * D, F(2), F(3) + i0 * D, nullptr, i1 - i0, D, eps); });
  if (wantDw) RmsNormGradRows(F(0), F(1), F(2), nullptr, F(4), N, D, eps);
  return nullptr;
}

KIT_CLONES static void SwigluLoop(const float* g, const float* u, float* y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) y[i] = (g[i] * Sigmoid(g[i])) * u[i];
}

// swiglu(buffer, offG, offU, offY, n): y = silu(g) * u.
static napi_value Swiglu(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[4];
  if (!HeapArgs(env, info, 4, &b, &len, v)) return nullptr;
  if (!Inside(env, len, v[0], v[3]) || !Inside(env, len, v[1], v[3]) || !Inside(env, len, v[2], v[3])) return nullptr;
  const float* g = (const float*)(b + (int64_t)v[0]); const float* u = (const float*)(b + (int64_t)v[1]);
  float* y = (float*)(b + (int64_t)v[2]);
  ParallelFor((int64_t)v[3], kMinFloatsPerThread, [&](int64_t i0, int64_t i1) { SwigluLoop(g + i0, u + i0, y + i0, i1 - i0); });
  return nullptr;
}

KIT_CLONES static void SwigluGradG(const float* dy, const float* g, const float* u, float* dg, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    const float s = Sigmoid(g[i]);
    dg[i] = (dy[i] * u[i]) * (s * (1.0f + g[i] * (1.0f - s)));
  }
}

KIT_CLONES static void SwigluGradU(const float* dy, const float* g, float* du, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) du[i] = dy[i] * (g[i] * Sigmoid(g[i]));
}

// swigluGrad(buffer, offDy, offG, offU, offDg, offDu, n): gradients of silu(g) * u w.r.t. g and u; an
// offset of -1 skips that gradient.
static napi_value SwigluGrad(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[6];
  if (!HeapArgs(env, info, 6, &b, &len, v)) return nullptr;
  const double n = v[5];
  const bool wantDg = v[3] >= 0, wantDu = v[4] >= 0;
  if (!Inside(env, len, v[0], n) || !Inside(env, len, v[1], n) || !Inside(env, len, v[2], n) || (wantDg && !Inside(env, len, v[3], n)) ||
      (wantDu && !Inside(env, len, v[4], n))) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor((int64_t)n, kMinFloatsPerThread, [&](int64_t i0, int64_t i1) {
    if (wantDg) SwigluGradG(F(0) + i0, F(1) + i0, F(2) + i0, F(3) + i0, i1 - i0);
    if (wantDu) SwigluGradU(F(0) + i0, F(1) + i0, F(4) + i0, i1 - i0);
  });
  return nullptr;
}

// ropeHeads(buffer, offX, offCos, offSin, offY, B, T, n, D, interleaved, sign, toHeads): rotates every
// head by the tables (cos, sin [B, 1, T, D/2]; sign -1 rotates back, the gradient) and moves it between
// the row layout [B*T, n*D] and the head layout [B, n, T, D]: toHeads 1 reads rows and writes heads, 0
// the reverse. Pairs are (i, i + D/2) ('half') or (2i, 2i + 1) (interleaved).
static napi_value RopeHeads(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[11];
  if (!HeapArgs(env, info, 11, &b, &len, v)) return nullptr;
  const int B = (int)v[4], T = (int)v[5], n = (int)v[6], D = (int)v[7], half = D / 2;
  const bool inter = v[8] != 0, toHeads = v[10] != 0;
  const float sg = v[9] < 0 ? -1.0f : 1.0f;
  const double total = (double)B * T * n * D;
  if (D % 2 != 0 || !Inside(env, len, v[0], total) || !Inside(env, len, v[1], (double)B * T * half) || !Inside(env, len, v[2], (double)B * T * half) ||
      !Inside(env, len, v[3], total)) return nullptr;
  const float* x = (const float*)(b + (int64_t)v[0]);
  const float* cs = (const float*)(b + (int64_t)v[1]);
  const float* sn = (const float*)(b + (int64_t)v[2]);
  float* y = (float*)(b + (int64_t)v[3]);
  const int ia = inter ? 2 : 1, ib = inter ? 1 : half;  // a at i*ia, b at i*ia + ib
  ParallelFor((int64_t)B * T, 1 + kMinFloatsPerThread / ((int64_t)n * D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t bb = r / T, t = r % T;
      const float* c = cs + ((int64_t)bb * T + t) * half;
      const float* s = sn + ((int64_t)bb * T + t) * half;
      for (int h = 0; h < n; h++) {
        const int64_t rowOff = (((int64_t)bb * T + t) * n + h) * D, headOff = (((int64_t)bb * n + h) * T + t) * D;
        const float* src = x + (toHeads ? rowOff : headOff);
        float* dst = y + (toHeads ? headOff : rowOff);
        for (int i = 0; i < half; i++) {
          const float a = src[i * ia], bv = src[i * ia + ib], si = sg * s[i];
          dst[i * ia] = a * c[i] - bv * si;
          dst[i * ia + ib] = bv * c[i] + a * si;
        }
      }
    }
  });
  return nullptr;
}

// Rows of the (batch, head) pairs [bh0, bh1).
KIT_CLONES static void MaskedSoftmaxRows(const float* raw, const float* keep, const float* bias, float* p, int64_t bh0, int64_t bh1, int H, int Tq, int S, float scale) {
  for (int64_t bh = bh0; bh < bh1; bh++) {
    const int64_t bb = bh / H, h = bh % H;
    for (int q = 0; q < Tq; q++) {
      const int64_t row = (((int64_t)bb * H + h) * Tq + q) * S, mrow = ((int64_t)bb * Tq + q) * S;
      const float* r = raw + row; const float* k = keep + mrow; const float* bi = bias + mrow;
      float* pr = p + row;
      float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
      for (int j = 0; j < S; j++) {
        const float z = (r[j] * scale) * k[j] + bi[j];
        pr[j] = z;
        mx = z > mx ? z : mx;
      }
      float sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int j = 0; j < S; j++) { const float e = ExpNeg(pr[j] - mx); pr[j] = e; sum += e; }
      const float inv = 1.0f / sum;
#pragma omp simd
      for (int j = 0; j < S; j++) pr[j] *= inv;
    }
  }
}

// maskedSoftmax(buffer, offRaw, offKeep, offBias, offP, B, H, Tq, S, scale): p = softmax over the last
// axis of raw * scale * keep + bias; raw, p [B, H, Tq, S], keep and bias [B, 1, Tq, S] (broadcast over heads).
static napi_value MaskedSoftmax(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[9];
  if (!HeapArgs(env, info, 9, &b, &len, v)) return nullptr;
  const int B = (int)v[4], H = (int)v[5], Tq = (int)v[6], S = (int)v[7];
  const double all = (double)B * H * Tq * S, m = (double)B * Tq * S;
  if (!Inside(env, len, v[0], all) || !Inside(env, len, v[1], m) || !Inside(env, len, v[2], m) || !Inside(env, len, v[3], all)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor((int64_t)B * H, 1 + kMinFloatsPerThread / ((int64_t)Tq * S), [&](int64_t i0, int64_t i1) { MaskedSoftmaxRows(F(0), F(1), F(2), F(3), i0, i1, H, Tq, S, (float)v[8]); });
  return nullptr;
}

KIT_CLONES static void MaskedSoftmaxGradRows(const float* dp, const float* p, const float* keep, float* dr, int64_t bh0, int64_t bh1, int H, int Tq, int S, float scale) {
  for (int64_t bh = bh0; bh < bh1; bh++) {
    const int64_t bb = bh / H, h = bh % H;
    for (int q = 0; q < Tq; q++) {
      const int64_t row = (((int64_t)bb * H + h) * Tq + q) * S, mrow = ((int64_t)bb * Tq + q) * S;
      const float* g = dp + row; const float* pr = p + row; const float* k = keep + mrow;
      float* o = dr + row;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int j = 0; j < S; j++) dot += g[j] * pr[j];
#pragma omp simd
      for (int j = 0; j < S; j++) o[j] = (pr[j] * (g[j] - dot)) * k[j] * scale;
    }
  }
}

// maskedSoftmaxGrad(buffer, offDp, offP, offKeep, offDraw, B, H, Tq, S, scale): gradient of maskedSoftmax
// w.r.t. raw, from its output p and the output gradient dp.
static napi_value MaskedSoftmaxGrad(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[9];
  if (!HeapArgs(env, info, 9, &b, &len, v)) return nullptr;
  const int B = (int)v[4], H = (int)v[5], Tq = (int)v[6], S = (int)v[7];
  const double all = (double)B * H * Tq * S, m = (double)B * Tq * S;
  if (!Inside(env, len, v[0], all) || !Inside(env, len, v[1], all) || !Inside(env, len, v[2], m) || !Inside(env, len, v[3], all)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor((int64_t)B * H, 1 + kMinFloatsPerThread / ((int64_t)Tq * S), [&](int64_t i0, int64_t i1) { MaskedSoftmaxGradRows(F(0), F(1), F(2), F(3), i0, i1, H, Tq, S, (float)v[8]); });
  return nullptr;
}

// ---- CF training kernels: Adam over a whole parameter, column sums over leading axes (bias and
// broadcast gradients) and the row scatter-add that is the gradient of an embedding gather.

// Adam with torch.optim.Adam semantics, in double per element as the kit's JS kernel (src/core/optim.ts).
// binding.gyp's -fno-math-errno lets the double sqrt vectorise (with errno it stayed scalar: ~18 ns per element)
KIT_CLONES static void AdamRange(const float* x, const float* g, const float* m, const float* v, float* ox, float* om, float* ov,
                                 int64_t i0, int64_t i1, double b1, double b2, double eps, double l2, double decay, double stepSize, double sqrtBc2) {
#pragma omp simd
  for (int64_t i = i0; i < i1; i++) {
    const double xi = x[i];
    const double gi = (double)g[i] + l2 * xi;
    const double mi = b1 * m[i] + (1 - b1) * gi;
    const double vi = b2 * v[i] + (1 - b2) * gi * gi;
    om[i] = (float)mi;
    ov[i] = (float)vi;
    ox[i] = (float)(xi * decay - stepSize * mi / (std::sqrt(vi) / sqrtBc2 + eps));
  }
}

// adamUpdate(buffer, offX, offG, offM, offV, offOx, offOm, offOv, n, lr, beta1, beta2, eps, wd, decoupled, step)
static napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[15];
  if (!HeapArgs(env, info, 15, &b, &len, v)) return nullptr;
  const double n = v[7];
  for (int k = 0; k < 7; k++) if (!Inside(env, len, v[k], n)) return nullptr;
  const double lr = v[8], b1 = v[9], b2 = v[10], eps = v[11], wd = v[12], step = v[14];
  const bool decoupled = v[13] != 0;
  const double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor((int64_t)n, kMinFloatsPerThread, [&](int64_t i0, int64_t i1) {
    AdamRange(F(0), F(1), F(2), F(3), F(4), F(5), F(6), i0, i1, b1, b2, eps, decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1, lr / bc1, std::sqrt(bc2));
  });
  return nullptr;
}

KIT_CLONES static void SumRowsRange(const float* x, float* out, int64_t outer, int64_t inner, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; j++) out[j] = 0;
  for (int64_t r = 0; r < outer; r++) {
    const float* xr = x + r * inner;
#pragma omp simd
    for (int64_t j = j0; j < j1; j++) out[j] += xr[j];
  }
}

// sumRows(buffer, offX, offOut, outer, inner): out [inner] = sum over the outer rows of x [outer, inner].
static napi_value SumRows(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[4];
  if (!HeapArgs(env, info, 4, &b, &len, v)) return nullptr;
  if (!Inside(env, len, v[0], v[2] * v[3]) || !Inside(env, len, v[1], v[3])) return nullptr;
  const int64_t outer = (int64_t)v[2], inner = (int64_t)v[3];
  float* x = (float*)(b + (int64_t)v[0]);
  float* out = (float*)(b + (int64_t)v[1]);
  // column blocks of 1024 floats: the running sums stay in L1 while the rows stream past
  for (int64_t j0 = 0; j0 < inner; j0 += 1024) SumRowsRange(x, out, outer, inner, j0, j0 + 1024 < inner ? j0 + 1024 : inner);
  return nullptr;
}

KIT_CLONES static void AddRow(float* dst, const float* src, int64_t inner) {
#pragma omp simd
  for (int64_t j = 0; j < inner; j++) dst[j] += src[j];
}

// segmentSumRows(buffer, offX, offIds, offOut, n, inner, numSegments): out [numSegments, inner] =
// sum of the rows of x [n, inner] by int32 segment id (ids outside [0, numSegments) are skipped).
static napi_value SegmentSumRows(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[6];
  if (!HeapArgs(env, info, 6, &b, &len, v)) return nullptr;
  const int64_t n = (int64_t)v[3], inner = (int64_t)v[4], segs = (int64_t)v[5];
  if (!Inside(env, len, v[0], (double)n * inner) || !Inside(env, len, v[1], (double)n) || !Inside(env, len, v[2], (double)segs * inner)) return nullptr;
  const float* x = (const float*)(b + (int64_t)v[0]);
  const int32_t* ids = (const int32_t*)(b + (int64_t)v[1]);
  float* out = (float*)(b + (int64_t)v[2]);
  std::memset(out, 0, sizeof(float) * segs * inner);
  for (int64_t i = 0; i < n; i++) {
    const int64_t s = ids[i];
    if (s >= 0 && s < segs) AddRow(out + s * inner, x + i * inner, inner);
  }
  return nullptr;
}

// LayerNorm over rows of D (CF SASRec): mean and biased variance in double, y = (x - mean) * rstd * w + b.
KIT_CLONES static void LayerNormStats(const float* xi, int D, float eps, float* mean, float* rstd) {
  double s = 0, ss = 0;
  for (int j = 0; j < D; j++) s += xi[j];
  const double mu = s / D;
  for (int j = 0; j < D; j++) { const double c = xi[j] - mu; ss += c * c; }
  *mean = (float)mu;
  *rstd = (float)(1.0 / std::sqrt(ss / D + (double)eps));
}

KIT_CLONES static void LayerNormRows(const float* x, const float* w, const float* bias, float* y, int64_t i0, int64_t i1, int D, float eps) {
  for (int64_t i = i0; i < i1; i++) {
    const float* xi = x + i * D;
    float* yi = y + i * D;
    float mu, r;
    LayerNormStats(xi, D, eps, &mu, &r);
#pragma omp simd
    for (int j = 0; j < D; j++) yi[j] = (xi[j] - mu) * r * w[j] + bias[j];
  }
}

// layerNorm(buffer, offX, offW, offB, offY, N, D, eps)
static napi_value LayerNorm(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[7];
  if (!HeapArgs(env, info, 7, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[4]; const int D = (int)v[5];
  if (!Inside(env, len, v[0], (double)N * D) || !Inside(env, len, v[1], D) || !Inside(env, len, v[2], D) || !Inside(env, len, v[3], (double)N * D)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor(N, 1 + kMinFloatsPerThread / D, [&](int64_t i0, int64_t i1) { LayerNormRows(F(0), F(1), F(2), F(3), i0, i1, D, (float)v[6]); });
  return nullptr;
}

// layerNormGrad(buffer, offDy, offX, offW, offDx, offDw, offDb, N, D, eps): dx = rstd * (g - mean(g) -
// xhat * mean(g * xhat)) with g = dy * w; dw = sum over rows of dy * xhat; db = sum of dy.
KIT_CLONES static void LayerNormGradRows(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int64_t N, int D, float eps) {
  std::vector<float> xh(D), g(D);
  for (int j = 0; j < D; j++) { dw[j] = 0; db[j] = 0; }
  for (int64_t i = 0; i < N; i++) {
    const float* xi = x + i * D;
    const float* dyi = dy + i * D;
    float mu, r;
    LayerNormStats(xi, D, eps, &mu, &r);
    float sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
    for (int j = 0; j < D; j++) {
      xh[j] = (xi[j] - mu) * r;
      g[j] = dyi[j] * w[j];
      sg += g[j];
      sgx += g[j] * xh[j];
      dw[j] += dyi[j] * xh[j];
      db[j] += dyi[j];
    }
    const float mg = sg / D, mgx = sgx / D;
    float* dxi = dx + i * D;
#pragma omp simd
    for (int j = 0; j < D; j++) dxi[j] = r * (g[j] - mg - xh[j] * mgx);
  }
}

static napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[9];
  if (!HeapArgs(env, info, 9, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[6]; const int D = (int)v[7];
  if (!Inside(env, len, v[0], (double)N * D) || !Inside(env, len, v[1], (double)N * D) || !Inside(env, len, v[2], D) ||
      !Inside(env, len, v[3], (double)N * D) || !Inside(env, len, v[4], D) || !Inside(env, len, v[5], D)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  LayerNormGradRows(F(0), F(1), F(2), F(3), F(4), F(5), N, D, (float)v[8]);
  return nullptr;
}

// edgeSpmm(buffer, offH, offSrc, offDst, offW, offOut, E, D, nOut): h [nOut, D]; out [nOut, D] = sum over edges e of
// w[e] * h[src[e]] into row dst[e] (LightGCN's propagation A h as an edge list; its gradient is the same
// call with src and dst swapped). Edges with an out-of-range endpoint are skipped.
KIT_CLONES static void AxpyRow(float* dst, const float* src, float w, int D) {
#pragma omp simd
  for (int j = 0; j < D; j++) dst[j] += w * src[j];
}

static napi_value EdgeSpmm(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[8];
  if (!HeapArgs(env, info, 8, &b, &len, v)) return nullptr;
  const int64_t E = (int64_t)v[5], nOut = (int64_t)v[7]; const int D = (int)v[6];
  if (!Inside(env, len, v[1], (double)E) || !Inside(env, len, v[2], (double)E) || !Inside(env, len, v[3], (double)E) || !Inside(env, len, v[4], (double)nOut * D)) return nullptr;
  if (!Inside(env, len, v[0], (double)nOut * D)) return nullptr;
  const int64_t nIn = nOut;  // square operator: h has nOut rows too
  const float* h = (const float*)(b + (int64_t)v[0]);
  const int32_t* src = (const int32_t*)(b + (int64_t)v[1]);
  const int32_t* dst = (const int32_t*)(b + (int64_t)v[2]);
  const float* w = (const float*)(b + (int64_t)v[3]);
  float* out = (float*)(b + (int64_t)v[4]);
  std::memset(out, 0, sizeof(float) * nOut * D);
  for (int64_t e = 0; e < E; e++) {
    const int64_t s = src[e], t = dst[e];
    if (s >= 0 && s < nIn && t >= 0 && t < nOut) AxpyRow(out + t * D, h + s * D, w[e], D);
  }
  return nullptr;
}

// ---- Dice (DIN's activation, BatchNorm folded into gain/shift): y = x * (a + (1 - a) * p) with
// p = sigmoid(gain * x + shift), per channel of x [N, C]; the op chain was ~8 kernels forward and ~20
// backward on DIN's [B * T, 64] attention hidden layer.
KIT_CLONES static void DiceRows(const float* x, const float* a, const float* gain, const float* shift, float* y, int64_t i0, int64_t i1, int C) {
  for (int64_t i = i0; i < i1; i++) {
    const float* xi = x + i * C;
    float* yi = y + i * C;
#pragma omp simd
    for (int j = 0; j < C; j++) {
      const float p = Sigmoid(gain[j] * xi[j] + shift[j]);
      yi[j] = xi[j] * (a[j] + (1.0f - a[j]) * p);
    }
  }
}

// dice(buffer, offX, offA, offGain, offShift, offY, N, C)
static napi_value Dice(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[7];
  if (!HeapArgs(env, info, 7, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[5]; const int C = (int)v[6];
  if (!Inside(env, len, v[0], (double)N * C) || !Inside(env, len, v[1], C) || !Inside(env, len, v[2], C) || !Inside(env, len, v[3], C) ||
      !Inside(env, len, v[4], (double)N * C)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  ParallelFor(N, 1 + kMinFloatsPerThread / C, [&](int64_t i0, int64_t i1) { DiceRows(F(0), F(1), F(2), F(3), F(4), i0, i1, C); });
  return nullptr;
}

// diceGrad(buffer, offDy, offX, offA, offGain, offShift, offDx, offDa, offDgain, offDshift, N, C): with
// s = p (1 - p) and u = dy x: dx = dy (a + (1 - a) p) + u (1 - a) s gain, and over rows da = sum u (1 - p),
// dgain = sum u (1 - a) s x, dshift = sum u (1 - a) s (rows in order, one thread: no dependence on threads).
KIT_CLONES static void DiceGradRows(const float* dy, const float* x, const float* a, const float* gain, const float* shift, float* dx,
                                    float* da, float* dg, float* ds, int64_t N, int C) {
  for (int j = 0; j < C; j++) { da[j] = 0; dg[j] = 0; ds[j] = 0; }
  for (int64_t i = 0; i < N; i++) {
    const float* xi = x + i * C;
    const float* dyi = dy + i * C;
    float* dxi = dx + i * C;
#pragma omp simd
    for (int j = 0; j < C; j++) {
      const float p = Sigmoid(gain[j] * xi[j] + shift[j]);
      const float u = dyi[j] * xi[j], t = u * (1.0f - a[j]) * p * (1.0f - p);
      dxi[j] = dyi[j] * (a[j] + (1.0f - a[j]) * p) + t * gain[j];
      da[j] += u * (1.0f - p);
      dg[j] += t * xi[j];
      ds[j] += t;
    }
  }
}

static napi_value DiceGrad(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[11];
  if (!HeapArgs(env, info, 11, &b, &len, v)) return nullptr;
  const int64_t N = (int64_t)v[9]; const int C = (int)v[10];
  const double rows[] = {0, 1, 5}, chans[] = {2, 3, 4, 6, 7, 8};
  for (double k : rows) if (!Inside(env, len, v[(int)k], (double)N * C)) return nullptr;
  for (double k : chans) if (!Inside(env, len, v[(int)k], C)) return nullptr;
  auto F = [&](int k) { return (float*)(b + (int64_t)v[k]); };
  DiceGradRows(F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7), F(8), N, C);
  return nullptr;
}

// ---- Seeded inverted-dropout masks: the kit's mulberry32 stream (src/core/dropout-mask.ts), whose
// state after i draws is a0 + i * 0x6d2b79f5, so every element is computed on its own: the loop
// vectorises and splits across threads, bit-identical to the JS loop.
KIT_CLONES static void DropoutMaskRange(float* out, uint32_t a0, int64_t i0, int64_t i1, uint64_t thr, float scale) {
  for (int64_t i = i0; i < i1; i++) {
    const uint32_t a = a0 + (uint32_t)(i + 1) * 0x6d2b79f5u;
    uint32_t t = (a ^ (a >> 15)) * (1u | a);
    t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
    out[i] = (uint64_t)(t ^ (t >> 14)) < thr ? scale : 0.0f;
  }
}

// dropoutMask(buffer, offOut, n, state, thr, scale): out [n] = scale where draw i < thr, else 0
// (state: the uint32 seed hash; thr: the integer keep threshold in [0, 2^32]).
static napi_value DropoutMask(napi_env env, napi_callback_info info) {
  char* b; size_t len; double v[5];
  if (!HeapArgs(env, info, 5, &b, &len, v)) return nullptr;
  if (!Inside(env, len, v[0], v[1])) return nullptr;
  float* out = (float*)(b + (int64_t)v[0]);
  const int64_t n = (int64_t)v[1];
  const uint32_t a0 = (uint32_t)v[2];
  const uint64_t thr = (uint64_t)v[3];
  const float scale = (float)v[4];
  ParallelFor(n, kMinFloatsPerThread, [&](int64_t i0, int64_t i1) { DropoutMaskRange(out, a0, i0, i1, thr, scale); });
  return nullptr;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!GetArgs(env, info, 1, a)) return nullptr;
  int32_t n; napi_get_value_int32(env, a[0], &n);
  g_threads = n > 0 ? (n < 64 ? n : 64) : 1;
  g_pool->Resize(g_threads - 1);
  return nullptr;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r; napi_create_int32(env, g_threads, &r);
  return r;
}

static napi_value Init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1);
  const char* names[] = {"sgemmBatched", "softmaxXent", "rmsNorm", "rmsNormGrad", "swiglu", "swigluGrad", "ropeHeads",
                         "maskedSoftmax", "maskedSoftmaxGrad", "setThreads", "getThreads", "adamUpdate", "sumRows", "segmentSumRows", "layerNorm", "layerNormGrad", "edgeSpmm", "dropoutMask", "dice", "diceGrad"};
  napi_callback fns[] = {Flushed<SgemmBatched>, Flushed<SoftmaxXent>, Flushed<RmsNorm>, Flushed<RmsNormGrad>, Flushed<Swiglu>, Flushed<SwigluGrad>, Flushed<RopeHeads>, Flushed<MaskedSoftmax>, Flushed<MaskedSoftmaxGrad>, Flushed<SetThreads>, Flushed<GetThreads>, Flushed<AdamUpdate>, Flushed<SumRows>, Flushed<SegmentSumRows>, Flushed<LayerNorm>, Flushed<LayerNormGrad>, Flushed<EdgeSpmm>, Flushed<DropoutMask>, Flushed<Dice>, Flushed<DiceGrad>};
  for (int i = 0; i < (int)(sizeof(fns) / sizeof(fns[0])); i++) {
    napi_value fn; napi_create_function(env, names[i], NAPI_AUTO_LENGTH, fns[i], nullptr, &fn);
    napi_set_named_property(env, exports, names[i], fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
