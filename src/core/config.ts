// Helpers for typed configs: merge options over defaults, reject unknown keys, validate fields with
// messages that show the offending value, and freeze. Reference: nanoGPT's GPTConfig (docs/architecture.md §3).

/** Merge options over defaults, rejecting keys the config does not have; returns a new object. */
export function mergeConfig<C extends object>(what: string, defaults: C, options: Readonly<Partial<C>>): C {
  for (const k of Object.keys(options)) {
    if (!(k in defaults)) throw new Error(`${what}: unknown field "${k}"; known fields: ${Object.keys(defaults).join(', ')}`);
  }
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as C;
}

/** Throw unless value is an integer >= min. */
export function checkInt(what: string, field: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${what}: ${field} must be an integer >= ${min}, got ${value}`);
}

/** Throw unless lo <= value <= hi (lo < value when loOpen). */
export function checkRange(what: string, field: string, value: number, lo: number, hi: number, loOpen = false): void {
  const ok = Number.isFinite(value) && (loOpen ? value > lo : value >= lo) && value <= hi;
  if (!ok) throw new Error(`${what}: ${field} must be in ${loOpen ? '(' : '['}${lo}, ${hi}], got ${value}`);
}

/** Throw unless value is one of the allowed strings. */
export function checkOneOf<T extends string>(what: string, field: string, value: string, allowed: readonly T[]): void {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${what}: ${field} must be one of ${allowed.join(', ')}, got "${value}"`);
}
