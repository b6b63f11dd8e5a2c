// The LLM-method registry: every method the runner, the CLI and the notebooks can name. Adding a method
// is its own folder (a RecMethodSpec, see src/rec/method.ts) plus one line here.
// Reference: docs/architecture.md (adding an LLM method); RecBole's model registry.
import { COLLM_SPEC } from '../collm/method';
import { CORA_SPEC } from '../cora/method';
import type { RecMethodSpec } from '../rec/method';
import { BASE_SPEC, TALLREC_SPEC } from '../rec/text-methods';

/** Every registered LLM method by name, in the order tables list them. */
export const REC_METHODS: Readonly<Record<string, RecMethodSpec>> = Object.freeze({
  base: BASE_SPEC,
  tallrec: TALLREC_SPEC,
  collm: COLLM_SPEC,
  cora: CORA_SPEC,
});

/** Names of the registered methods. */
export function recMethodNames(): string[] {
  return Object.keys(REC_METHODS);
}

/** The spec of a method, with a clear error naming the registered ones. */
export function recMethodSpec(name: string): RecMethodSpec {
  const spec = REC_METHODS[name];
  if (!spec) throw new Error(`unknown LLM method "${name}"; registered: ${recMethodNames().join(', ')}`);
  return spec;
}
