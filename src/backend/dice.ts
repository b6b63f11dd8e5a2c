// DIN's Dice activation as one native pass forward and one backward (native/kitgemm.cc Dice /
// DiceGrad), with a registered gradient to x and the three per-channel parameters: the op chain
// (mul, add, sigmoid, sub, mul, mul, mul, add and their broadcast gradients) was most of DIN's
// elementwise time. Use it only when fusedDiceAvailable(); callers keep the op chain otherwise.
// Reference: Zhou et al., DIN (KDD 2018) §4.3; src/cf/din.ts dice.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm } from './native-gemm';
import { heapOutputs } from './wasm-internals';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown };

/** Whether fusedDice can run: wasm backend active and the addon has the kernels. */
export function fusedDiceAvailable(): boolean {
  const g = loadNativeGemm().gemm;
  return tf.getBackend() === 'wasm' && typeof g?.dice === 'function' && typeof g.diceGrad === 'function';
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'KitDice', backendName: 'wasm',
    kernelFunc: (args) => {
      const a = args as unknown as Args, { x, alpha, gain, shift } = a.inputs as Record<string, tf.TensorInfo>;
      const [N, C] = x!.shape as [number, number];
      const { heap: h, off, outs } = heapOutputs(a.backend, [[N, C]]);
      loadNativeGemm().gemm!.dice!(h, off(x!), off(alpha!), off(gain!), off(shift!), off(outs[0]!), N, C);
      return outs[0]!;
    },
  });
  tf.registerKernel({
    kernelName: 'KitDiceGrad', backendName: 'wasm',
    kernelFunc: (args) => {
      const a = args as unknown as Args, { dy, x, alpha, gain, shift } = a.inputs as Record<string, tf.TensorInfo>;
      const [N, C] = x!.shape as [number, number];
      const { heap: h, off, outs } = heapOutputs(a.backend, [[N, C], [C], [C], [C]]);
      loadNativeGemm().gemm!.diceGrad!(h, off(dy!), off(x!), off(alpha!), off(gain!), off(shift!), off(outs[0]!), off(outs[1]!), off(outs[2]!), off(outs[3]!), N, C);
      return outs;
    },
  });
}

/**
 * Dice(x) = x * (alpha + (1 - alpha) * sigmoid(gain * x + shift)) per channel (last axis of x), with
 * gradients to all four inputs. @returns x.shape float32
 */
export function fusedDice(x: tf.Tensor, alpha: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  register();
  const shape = x.shape, C = shape[shape.length - 1]!;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x2, a, g, s] = args as tf.Tensor[];
    (args[4] as tf.GradSaveFunc)([x2!, a!, g!, s!]);
    const value = tf.engine().runKernel('KitDice', { x: x2!, alpha: a!, gain: g!, shift: s! }) as tf.Tensor;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel('KitDiceGrad', { dy, x: saved[0]!, alpha: saved[1]!, gain: saved[2]!, shift: saved[3]! }) as tf.Tensor[],
    };
  });
  return tf.tidy(() => tf.reshape((f as (...t: tf.Tensor[]) => tf.Tensor)(tf.reshape(x, [-1, C]), alpha, gain, shift), shape));
}
