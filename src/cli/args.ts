// Small helpers shared by the command-line entry points: typed flag parsing with clear errors and
// a --help text. Reference: node:util parseArgs.
import { parseArgs } from 'util';

/** One flag: its type, help text and default. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly help: string;
  readonly default?: string | boolean;
}

/** Parse argv against flag specs; prints usage and exits on --help; throws on unknown flags. */
export function parseFlags(command: string, summary: string, flags: Readonly<Record<string, FlagSpec>>, argv = process.argv.slice(2)): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = { help: { type: 'boolean' } };
  for (const [k, f] of Object.entries(flags)) options[k] = f.default === undefined ? { type: f.type } : { type: f.type, default: f.default };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new Error(`${command}: ${(e as Error).message}\n\n${usage(command, summary, flags)}`);
  }
  if (values['help']) {
    process.stdout.write(usage(command, summary, flags));
    process.exit(0);
  }
  return values;
}

function usage(command: string, summary: string, flags: Readonly<Record<string, FlagSpec>>): string {
  const lines = Object.entries(flags).map(([k, f]) => `  --${k}${f.type === 'string' ? ' <value>' : ''}`.padEnd(30) + f.help + (f.default !== undefined ? ` (default: ${String(f.default)})` : ''));
  return `${command}: ${summary}\n\nOptions:\n${lines.join('\n')}\n  --help`.padEnd(0) + '\n';
}

/** A numeric flag value, or undefined when absent; throws naming the flag when not a number. */
export function numberFlag(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x)) throw new Error(`--${name}: expected a number, got "${String(v)}"`);
  return x;
}

/** Run an async main, printing only the message of an expected error and exiting 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
