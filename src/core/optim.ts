// Adam / AdamW as one fused elementwise kernel per parameter (the op-by-op tfjs Adam allocates ~10
// full-size temporaries per variable per step), with PyTorch semantics for both weight-decay kinds
// and a state that can be saved and restored for resuming.
// Reference: Kingma & Ba 2015 (Adam); Loshchilov & Hutter 2019 (AdamW); torch.optim.Adam / AdamW.
import * as tf from '@tensorflow/tfjs';

/** Adam hyper-parameters. */
export interface AdamConfig {
  /** Learning rate (can be changed per step through adamStep's lr argument); default 1e-3. */
  readonly lr: number;
  /** First-moment decay, PyTorch default 0.9. */
  readonly beta1: number;
  /** Second-moment decay, PyTorch default 0.999. */
  readonly beta2: number;
  /** Denominator epsilon, PyTorch default 1e-8. */
  readonly eps: number;
  /** Weight decay: coupled L2 (torch Adam: g += wd * x) or decoupled (torch AdamW: x -= lr * wd * x); default 0. */
  readonly weightDecay: number;
  /** true = AdamW (decoupled decay), false = Adam with L2 added to the gradient (default). */
  readonly decoupled: boolean;
}

/** PyTorch's defaults. */
export const ADAM_DEFAULTS: AdamConfig = Object.freeze({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false });

/** Moments and step count; m and v are keyed like the parameters. */
export interface AdamState {
  /** Number of completed steps. */
  step: number;
  /** First moments, same shapes as the parameters. */
  readonly m: Record<string, tf.Tensor>;
  /** Second moments, same shapes as the parameters. */
  readonly v: Record<string, tf.Tensor>;
}

const KERNEL = 'KitAdamUpdate';

type Arr = Float32Array;
function updateInPlace(x: Arr, g: Arr, m: Arr, v: Arr, ox: Arr, om: Arr, ov: Arr, a: Record<string, number>): void {
  const { lr, beta1, beta2, eps, wd, decoupled, step } = a as Record<string, number>;
  const bc1 = 1 - Math.pow(beta1!, step!), bc2 = 1 - Math.pow(beta2!, step!);
  const stepSize = lr! / bc1, sqrtBc2 = Math.sqrt(bc2);
  const decay = decoupled ? 1 - lr! * wd! : 1, l2 = decoupled ? 0 : wd!;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const gi = g[i]! + l2 * xi;
    const mi = beta1! * m[i]! + (1 - beta1!) * gi;
    const vi = beta2! * v[i]! + (1 - beta2!) * gi * gi;
    om[i] = mi;
    ov[i] = vi;
    ox[i] = xi * decay - stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + eps!);
  }
}

interface HeapBackend {
  makeOutput: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
  typedArrayFromHeap: (t: tf.TensorInfo) => Float32Array;
}
interface JsBackend {
  readSync: (id: object) => Float32Array;
  makeTensorInfo: (s: number[], d: tf.DataType, v: Float32Array) => tf.TensorInfo;
}

let registered = false;
function registerKernels(): void {
  if (registered) return;
  registered = true;
  // the backend may have installed a native version already (src/backend/adam-kernel.ts): keep it
  if (!tf.getKernel(KERNEL, 'wasm')) tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as HeapBackend;
      const { x, g, m, v } = inputs as Record<string, tf.TensorInfo>;
      const outs = [b.makeOutput(x!.shape, 'float32'), b.makeOutput(x!.shape, 'float32'), b.makeOutput(x!.shape, 'float32')];
      // heap views are taken after every allocation: growth detaches older views
      const h = (t: tf.TensorInfo): Float32Array => b.typedArrayFromHeap(t);
      updateInPlace(h(x!), h(g!), h(m!), h(v!), h(outs[0]!), h(outs[1]!), h(outs[2]!), attrs as Record<string, number>);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as JsBackend;
      const { x, g, m, v } = inputs as Record<string, tf.TensorInfo>;
      const n = x!.shape.reduce((p, q) => p * q, 1);
      const ox = new Float32Array(n), om = new Float32Array(n), ov = new Float32Array(n);
      updateInPlace(b.readSync(x!.dataId), b.readSync(g!.dataId), b.readSync(m!.dataId), b.readSync(v!.dataId), ox, om, ov, attrs as Record<string, number>);
      return [b.makeTensorInfo(x!.shape, 'float32', ox), b.makeTensorInfo(x!.shape, 'float32', om), b.makeTensorInfo(x!.shape, 'float32', ov)];
    },
  });
}

/** Zero moments for the given parameters. */
export function initAdamState(params: Readonly<Record<string, tf.Variable>>): AdamState {
  const m: Record<string, tf.Tensor> = {}, v: Record<string, tf.Tensor> = {};
  for (const [k, p] of Object.entries(params)) {
    m[k] = tf.zerosLike(p);
    v[k] = tf.zerosLike(p);
  }
  return { step: 0, m, v };
}

/** Tensor-op version for backends without the fused kernel (e.g. tfjs-node). @returns [x', m', v'] */
function updateWithOps(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: Record<string, number>): tf.Tensor[] {
  return tf.tidy(() => {
    const { lr, beta1, beta2, eps, wd, decoupled, step } = a as Record<string, number>;
    const gi = decoupled ? g : tf.add(g, tf.mul(wd!, x));
    const m2 = tf.add(tf.mul(beta1!, m), tf.mul(1 - beta1!, gi));
    const v2 = tf.add(tf.mul(beta2!, v), tf.mul(1 - beta2!, tf.square(gi)));
    const bc1 = 1 - Math.pow(beta1!, step!), bc2 = 1 - Math.pow(beta2!, step!);
    const upd = tf.div(m2, tf.add(tf.div(tf.sqrt(v2), Math.sqrt(bc2)), eps!));
    const x2 = tf.sub(decoupled ? tf.mul(1 - lr! * wd!, x) : x, tf.mul(lr! / bc1, upd));
    return [x2, m2, v2];
  });
}

/**
 * One optimiser step: updates the variables in place (assign) and the state's moments.
 * @param decayMask per-parameter switch for weight decay (e.g. false for biases and 1-D params); default all true.
 */
export function adamStep(
  params: Readonly<Record<string, tf.Variable>>, grads: Readonly<Record<string, tf.Tensor>>, state: AdamState, cfg: AdamConfig,
  lr: number = cfg.lr, decayMask?: Readonly<Record<string, boolean>>,
): void {
  registerKernels();
  state.step += 1;
  const useKernel = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
  for (const [k, p] of Object.entries(params)) {
    const g = grads[k];
    if (!g) continue;
    const attrs = { lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, wd: decayMask?.[k] === false ? 0 : cfg.weightDecay, decoupled: cfg.decoupled ? 1 : 0, step: state.step };
    const [x2, m2, v2] = useKernel
      ? (tf.engine().runKernel(KERNEL, { x: p, g, m: state.m[k]!, v: state.v[k]! }, attrs) as tf.Tensor[])
      : updateWithOps(p, g, state.m[k]!, state.v[k]!, attrs);
    p.assign(x2!);
    tf.dispose([x2!, state.m[k]!, state.v[k]!]);
    state.m[k] = m2!;
    state.v[k] = v2!;
  }
}

/** Dispose the moment tensors of a state. */
export function disposeAdamState(state: AdamState): void {
  tf.dispose([...Object.values(state.m), ...Object.values(state.v)]);
}
