// Optional native accelerator: OpenBLAS sgemm on float32 data that lives inside one ArrayBuffer (the
// tfjs wasm backend's heap), zero-copy. Batched calls loop in C (stride 0 broadcasts an operand).
#include <node_api.h>
#include <cstdint>
#ifdef KIT_ACCELERATE
#include <Accelerate/Accelerate.h>
static void openblas_set_num_threads(int) {}
static int openblas_get_num_threads(void) { return 0; }
#else
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

static bool GetArgs(napi_env env, napi_callback_info info, size_t want, napi_value* a) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, a, nullptr, nullptr) != napi_ok || argc != want) {
    napi_throw_error(env, nullptr, "kitgemm: wrong number of arguments");
    return false;
  }
  return true;
}

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
  for (int i = 0; i < batch; i++) {
    const float* A = (const float*)(base + oA + i * sA);
    const float* B = (const float*)(base + oB + i * sB);
    float* C = (float*)(base + oC + i * sC);
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
                A, tA ? M : K, B, tB ? K : N, 0.0f, C, N);
  }
  return nullptr;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!GetArgs(env, info, 1, a)) return nullptr;
  int32_t n; napi_get_value_int32(env, a[0], &n);
  openblas_set_num_threads(n > 0 ? n : 1);
  return nullptr;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r; napi_create_int32(env, openblas_get_num_threads(), &r);
  return r;
}

static napi_value Init(napi_env env, napi_value exports) {
  const char* names[] = {"sgemmBatched", "setThreads", "getThreads"};
  napi_callback fns[] = {SgemmBatched, SetThreads, GetThreads};
  for (int i = 0; i < 3; i++) {
    napi_value fn; napi_create_function(env, names[i], NAPI_AUTO_LENGTH, fns[i], nullptr, &fn);
    napi_set_named_property(env, exports, names[i], fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
