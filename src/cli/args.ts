// Small helpers shared by the command-line entry points: typed flag parsing with clear errors and
// a --help text. Numeric flags are checked strictly before any work: integers as plain decimal
// integers (no `7.9`, `0x10`, `1e3`, `+5`, ` 5`), numbers as plain decimals, both within their range.
// Reference: node:util parseArgs; docs/validation.md §1.
import { parseArgs } from 'util';
import { pinCodeState } from '../core/code-state';
import { projectRoot } from '../core/paths';

/** One flag: its type, help text, default and (numeric flags) the inclusive range allowed. */
export interface FlagSpec {
  /** `int` and `number` flags arrive as strings and are checked by parseFlags before anything runs. */
  readonly type: 'string' | 'boolean' | 'int' | 'number';
  readonly help: string;
  readonly default?: string | boolean;
  /** Smallest allowed value (int / number flags). */
  readonly min?: number;
  /** Largest allowed value (int / number flags). */
  readonly max?: number;
}

/** Largest seed the kit's generator takes without wrapping (it reads the seed as a uint32). */
export const MAX_SEED = 0xffffffff;

/** Parse argv against flag specs; prints usage and exits on --help; throws on unknown, repeated or malformed flags. */
export function parseFlags(command: string, summary: string, flags: Readonly<Record<string, FlagSpec>>, argv = process.argv.slice(2)): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = { help: { type: 'boolean' } };
  for (const [k, f] of Object.entries(flags)) {
    const type = f.type === 'boolean' ? 'boolean' : 'string';
    options[k] = f.default === undefined ? { type } : { type, default: f.default };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
    values = parsed.values as Record<string, string | boolean | undefined>;
    const seen = new Set<string>();
    for (const t of parsed.tokens ?? []) {
      if (t.kind !== 'option') continue;
      // a repeated flag would silently keep only its last value
      if (seen.has(t.name)) throw new Error(`--${t.name} is given more than once; give it once`);
      seen.add(t.name);
    }
  } catch (e) {
    throw new Error(`${command}: ${(e as Error).message}\n\n${usage(command, summary, flags)}`);
  }
  if (values['help']) {
    process.stdout.write(usage(command, summary, flags));
    process.exit(0);
  }
  for (const [k, f] of Object.entries(flags)) {
    if (values[k] === undefined) continue;
    const range = { ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}) };
    try {
      if (f.type === 'int') intFlag(values, k, range);
      else if (f.type === 'number') numberFlag(values, k, range);
    } catch (e) {
      throw new Error(`${command}: ${(e as Error).message}`);
    }
  }
  return values;
}

function usage(command: string, summary: string, flags: Readonly<Record<string, FlagSpec>>): string {
  const arg = (f: FlagSpec) => (f.type === 'boolean' ? '' : f.type === 'string' ? ' <value>' : f.type === 'int' ? ' <int>' : ' <number>');
  const lines = Object.entries(flags).map(([k, f]) => `  --${k}${arg(f)}`.padEnd(30) + f.help + (f.default !== undefined ? ` (default: ${String(f.default)})` : ''));
  return `${command}: ${summary}\n\nOptions:\n${lines.join('\n')}\n  --help` + '\n';
}

/** Inclusive bounds for a numeric flag. */
export interface FlagRange {
  readonly min?: number;
  readonly max?: number;
}

const INT_RE = /^-?(0|[1-9][0-9]*)$/;
const NUMBER_RE = /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

function checkRange(name: string, x: number, range: FlagRange, what: string): number {
  if (range.min !== undefined && x < range.min) throw new Error(`--${name}: ${x} is below the smallest allowed ${what}, ${range.min}`);
  if (range.max !== undefined && x > range.max) throw new Error(`--${name}: ${x} is above the largest allowed ${what}, ${range.max}`);
  return x;
}

/** Parse one integer written in plain decimal ("12", "-3"); throws naming `name` otherwise. */
export function parseIntStrict(name: string, v: string, range: FlagRange = {}): number {
  const x = Number(v);
  if (!INT_RE.test(v) || !Number.isSafeInteger(x)) {
    throw new Error(`--${name}: expected an integer written in plain decimal digits (e.g. 7), got "${v}"`);
  }
  return checkRange(name, x, range, 'value');
}

/** Parse one number written as a plain decimal ("0.001", "1e-3", "5"); throws naming `name` otherwise. */
export function parseNumberStrict(name: string, v: string, range: FlagRange = {}): number {
  const x = Number(v);
  if (!NUMBER_RE.test(v) || !Number.isFinite(x)) {
    throw new Error(`--${name}: expected a finite decimal number (e.g. 0.001 or 1e-3), got "${v}"`);
  }
  return checkRange(name, x, range, 'value');
}

/** A numeric flag value, or undefined when absent; throws naming the flag when not a plain finite decimal number. */
export function numberFlag(values: Record<string, string | boolean | undefined>, name: string, range: FlagRange = {}): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`--${name}: expected a number, got a flag without a value`);
  return parseNumberStrict(name, v, range);
}

/** A JSON-object flag value, or undefined when absent; throws naming the flag when not valid JSON or not an object. */
export function jsonObjectFlag(values: Record<string, string | boolean | undefined>, name: string): Record<string, unknown> | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(v));
  } catch (e) {
    throw new Error(`--${name}: not valid JSON (${(e as Error).message}): ${String(v)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--${name}: expected a JSON object, got ${String(v)}`);
  return parsed as Record<string, unknown>;
}

/** An integer flag value, or undefined when absent; throws naming the flag when not a plain decimal integer in range. */
export function intFlag(values: Record<string, string | boolean | undefined>, name: string, range: FlagRange = {}): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`--${name}: expected an integer, got a flag without a value`);
  return parseIntStrict(name, v, range);
}

/** A comma-separated list of integers ("0,1,2"), each checked like intFlag; throws naming the flag and the item. */
export function intListFlag(values: Record<string, string | boolean | undefined>, name: string, range: FlagRange = {}): number[] {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name}: expected a comma-separated list of integers (e.g. 0,1,2), got "${String(v ?? '')}"`);
  const xs = v.split(',').map((s) => parseIntStrict(name, s, range));
  const dup = xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup !== undefined) throw new Error(`--${name}: ${dup} appears twice in "${v}"; list each value once`);
  return xs;
}

/** Run an async main, printing only the message of an expected error and exiting 1. */
export function runMain(main: () => Promise<void>): void {
  // the code this process loaded: runs it starts later record this, not what the checkout holds by then
  pinCodeState(projectRoot());
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
