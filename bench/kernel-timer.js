// Per-kernel wall time of a tfjs backend, for the profile benchmarks (bench/llm-profile.js, bench/cf-profile.js).
'use strict';

/** Wraps every kernel of `backendName` with a timer (outermost call only: nested kernels count in their caller). @returns Map kernel -> { ms, calls } */
function instrument(tf, backendName) {
  const acc = new Map();
  let depth = 0;
  for (const k of tf.getKernelsForBackend(backendName)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const t0 = process.hrtime.bigint();
        try {
          return inner(args);
        } finally {
          depth--;
          const e = acc.get(k.kernelName) ?? { ms: 0, calls: 0 };
          e.ms += Number(process.hrtime.bigint() - t0) / 1e6;
          e.calls++;
          acc.set(k.kernelName, e);
        }
      },
    });
  }
  return acc;
}

module.exports = { instrument };
