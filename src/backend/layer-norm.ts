// LayerNorm over the last axis as one native pass forward and one backward (native/kitgemm.cc), with a
// registered gradient: the op chain (moments, sub, rsqrt, mul, add and their broadcast gradients) was
// about a sixth of a SASRec epoch. Use it only when fusedLayerNormAvailable(); callers keep the op chain otherwise.
// Reference: torch.nn.LayerNorm (biased variance); native/kitgemm.cc LayerNorm / LayerNormGrad.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm } from './native-gemm';
import { heapOutputs } from './wasm-internals';

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** Whether fusedLayerNorm can run: wasm backend active and the addon has the kernels. */
export function fusedLayerNormAvailable(): boolean {
  const g = loadNativeGemm().gemm;
  return tf.getBackend() === 'wasm' && typeof g?.layerNorm === 'function' && typeof g.layerNormGrad === 'function';
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'KitLayerNorm', backendName: 'wasm',
    kernelFunc: (args) => {
      const a = args as unknown as Args, x = a.inputs['x']!;
      const [N, D] = x.shape as [number, number];
      const { heap: h, off, outs } = heapOutputs(a.backend, [[N, D]]);
      loadNativeGemm().gemm!.layerNorm!(h, off(x), off(a.inputs['w']!), off(a.inputs['b']!), off(outs[0]!), N, D, Number(a.attrs!['eps']));
      return outs[0]!;
    },
  });
  tf.registerKernel({
    kernelName: 'KitLayerNormGrad', backendName: 'wasm',
    kernelFunc: (args) => {
      const a = args as unknown as Args, x = a.inputs['x']!;
      const [N, D] = x.shape as [number, number];
      const { heap: h, off, outs } = heapOutputs(a.backend, [[N, D], [D], [D]]);
      loadNativeGemm().gemm!.layerNormGrad!(h, off(a.inputs['dy']!), off(x), off(a.inputs['w']!), off(outs[0]!), off(outs[1]!), off(outs[2]!), N, D, Number(a.attrs!['eps']));
      return outs;
    },
  });
}

/** LayerNorm of x [..., D] with gain w [D] and shift b [D], gradients to all three. @returns x.shape float32 */
export function fusedLayerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  register();
  const shape = x.shape, D = shape[shape.length - 1]!;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x2, wv, bv] = args as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)([x2!, wv!]);
    const value = tf.engine().runKernel('KitLayerNorm', { x: x2!, w: wv!, b: bv! }, { eps }) as tf.Tensor;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel('KitLayerNormGrad', { dy, x: saved[0]!, w: saved[1]! }, { eps }) as tf.Tensor[],
    };
  });
  return tf.tidy(() => tf.reshape((f as (...t: tf.Tensor[]) => tf.Tensor)(tf.reshape(x, [-1, D]), w, b), shape));
}
