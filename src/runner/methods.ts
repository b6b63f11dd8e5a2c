// The LLM-method registry: every method the runner, the CLI and the notebooks can name. Adding a method
// to the kit is its own folder (a RecMethodSpec, see src/rec/method.ts) plus one line in BUILT_IN below;
// a notebook or script can add its own with registerRecMethod.
// Reference: docs/architecture.md §6 (adding an LLM method); RecBole's model registry.
import { BINLLM_SPEC } from '../binllm/method';
import { COLLM_SPEC } from '../collm/method';
import { CORA_SPEC } from '../cora/method';
import type { RecMethodSpec } from '../rec/method';
import { BASE_SPEC, TALLREC_SPEC } from '../rec/text-methods';

/** The kit's methods, in the order tables list them. */
const BUILT_IN: readonly RecMethodSpec[] = [
  BASE_SPEC,
  TALLREC_SPEC,
  COLLM_SPEC,
  CORA_SPEC,
  BINLLM_SPEC,
];

const registry = new Map<string, RecMethodSpec>(BUILT_IN.map((s) => [s.name, s]));

/** Adds a method (e.g. one defined in a notebook) under its spec's name; throws when the name is taken or not a plain name. */
export function registerRecMethod(spec: RecMethodSpec): void {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new Error(`registerRecMethod: name "${spec.name}" must be lower-case letters, digits and '-', starting with a letter`);
  if (registry.has(spec.name)) throw new Error(`registerRecMethod: "${spec.name}" is already registered`);
  registry.set(spec.name, spec);
}

/** Names of the registered methods, built-in first. */
export function recMethodNames(): string[] {
  return [...registry.keys()];
}

/** The spec of a method, with a clear error naming the registered ones. */
export function recMethodSpec(name: string): RecMethodSpec {
  const spec = registry.get(name);
  if (!spec) throw new Error(`unknown LLM method "${name}"; registered: ${recMethodNames().join(', ')}`);
  return spec;
}
