// The kit's environment variables in one place: a table of every CFLLM_* variable (meaning, default,
// which commands read it) and one typed reader whose errors name the variable. No other module in src/
// reads process.env for a kit setting. Reference: docs/architecture.md §3; README "Environment variables".
import * as path from 'path';
import type { BackendChoice } from './types';

/** An environment to read from (process.env by default; tests pass their own). */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** One variable: what it sets, its default and who reads it, and how a set value is parsed. */
export interface EnvVarSpec<T, D extends T | undefined> {
  /** What the variable sets, in one line (the README table's "meaning" column). */
  readonly meaning: string;
  /** What happens when it is unset or empty, in words (the README table's "default" column). */
  readonly default: string;
  /** The npm commands and notebooks that read it (the README table's "used by" column). */
  readonly usedBy: string;
  /** Parses a non-empty value; throws a plain reason on a bad one (readEnv adds the variable's name). */
  readonly parse: (raw: string) => T;
  /** The value readEnv returns when the variable is unset or empty; undefined = the caller's own fallback applies. */
  readonly fallback: D;
}

function spec<T, D extends T | undefined>(s: EnvVarSpec<T, D>): EnvVarSpec<T, D> {
  return Object.freeze(s);
}

/** A parser accepting exactly the given strings. */
function oneOf<const T extends string>(allowed: readonly T[]): (raw: string) => T {
  return (raw) => {
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    throw new Error(`"${raw}" is not one of ${allowed.join(', ')}`);
  };
}

/** A folder or file path, resolved against the working directory. */
const absolutePath = (raw: string): string => path.resolve(raw);

/** '1' = on, '0' = off. */
function flag(raw: string): boolean {
  if (raw === '1') return true;
  if (raw === '0') return false;
  throw new Error(`"${raw}" is not 0 or 1`);
}

function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new Error(`"${raw}" is not a positive integer`);
  return n;
}

/** Backend names a user may give ($CFLLM_BACKEND, --backend). */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Every CFLLM_* variable the kit reads, in the order the README lists them. */
export const ENV_VARS = Object.freeze({
  CFLLM_DATA_DIR: spec({
    meaning: 'folder holding the datasets (collm-ml1m/, ml-1m/, ml-100k/, amazon-book/)',
    default: 'unset: data/, then ../shared/data (a --data-dir flag or dataDir option wins)',
    usedBy: 'train-cf, train-rec, cf-ml1m, ml1m-table, bench:mf, notebooks',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_MODEL_DIR: spec({
    meaning: 'LLM folder in Hugging Face format used when no --model / --llm is given',
    default: 'unset: models/kit-lm',
    usedBy: 'demo, train-rec, ml1m-table, lm-card, adapt-lm, notebooks',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_CORPUS_DIR: spec({
    meaning: 'text corpus folder (train.txt.gz, valid.txt.gz) for pretraining and held-out perplexity',
    default: 'unset: ../shared/corpora/gutenberg (a --corpus flag wins)',
    usedBy: 'pretrain-lm, lm-card, adapt-lm, notebook 08',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_BACKEND: spec({
    meaning: 'compute backend: auto, tensorflow, wasm or cpu',
    default: 'auto (tfjs-node if installed, else wasm, else cpu; a --backend flag wins)',
    usedBy: 'every command (demo, train-cf, train-rec, cf-ml1m, ml1m-table, pretrain-lm, lm-card, adapt-lm, bench:*)',
    parse: oneOf(BACKEND_CHOICES), fallback: 'auto' as BackendChoice,
  }),
  CFLLM_NATIVE: spec({
    meaning: '0 turns the native BLAS addon off (matmuls then run on XNNPACK); 1 uses it when built',
    default: '1',
    usedBy: 'every command, npm test, set-up (0 also skips its BLAS hint)',
    parse: flag, fallback: true,
  }),
  CFLLM_BLAS_THREADS: spec({
    meaning: 'threads of the native addon\'s own pool (each GEMM block is a one-thread BLAS call)',
    default: '1',
    usedBy: 'every command when the addon is loaded; bench:llm sets it per round',
    parse: positiveInt, fallback: 1,
  }),
  CFLLM_SCALE: spec({
    meaning: 'notebook scale: smoke (CI, seconds), default (minutes, synthetic world) or paper (ML-1M runs)',
    default: 'unset: the scale the notebook\'s config cell chooses (default if none); npm run notebooks sets smoke unless --scale is given',
    usedBy: 'notebooks, npm run notebooks',
    parse: oneOf(['smoke', 'default', 'paper'] as const), fallback: undefined,
  }),
  CFLLM_RUNS_DIR: spec({
    meaning: 'root of the notebooks\' shared run folders at smoke/default scale',
    default: 'unset: results/notebooks (npm run notebooks points CI runs elsewhere)',
    usedBy: 'notebooks, npm run notebooks',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_FIGURES_DIR: spec({
    meaning: 'folder the notebooks\' figure export writes PNG/SVG files to',
    default: 'unset: figures/ (npm run notebooks points CI runs elsewhere)',
    usedBy: 'notebooks, npm run notebooks',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_FIGURE_MODE: spec({
    meaning: 'how notebooks show figures: interactive (plotly), static (PNG) or both',
    default: 'interactive (npm run notebooks sets static)',
    usedBy: 'notebooks, npm run notebooks',
    parse: oneOf(['interactive', 'static', 'both'] as const), fallback: 'interactive' as 'interactive' | 'static' | 'both',
  }),
  CFLLM_PLOTLY_URL: spec({
    meaning: 'URL the notebook page loads plotly.js from (interactive figures)',
    default: 'unset: the plotly.js bundle under the Jupyter root, through Jupyter\'s /files/ route',
    usedBy: 'notebooks',
    parse: (raw: string) => raw, fallback: undefined,
  }),
  CFLLM_JUPYTER_ROOT: spec({
    meaning: 'the folder the Jupyter server serves, to find plotly.js under its /files/ route',
    default: 'unset: the project root',
    usedBy: 'notebooks, npm run lab',
    parse: absolutePath, fallback: undefined,
  }),
  CFLLM_CHROMIUM: spec({
    meaning: 'the chromium binary used to render static figures',
    default: 'unset: chromium or chromium-browser on PATH',
    usedBy: 'notebooks (figure export)',
    parse: (raw: string) => raw, fallback: undefined,
  }),
  CFLLM_SKIP_NOTEBOOKS: spec({
    meaning: '1 leaves the headless notebook runs out of npm test',
    default: '0',
    usedBy: 'npm test',
    parse: flag, fallback: false,
  }),
  CFLLM_RANK_ABLATION: spec({
    meaning: 'run: notebook 06 at paper scale launches the missing rank-ablation runs instead of only costing them',
    default: 'unset: only reports the runs it would need and their cost',
    usedBy: 'notebook 06',
    parse: oneOf(['run'] as const), fallback: undefined,
  }),
});

/** Names of the kit's variables. */
export type EnvName = keyof typeof ENV_VARS;

type SpecOf<K extends EnvName> = (typeof ENV_VARS)[K];

/** The parsed type of a variable (its fallback's type included). */
export type EnvValue<K extends EnvName> = ReturnType<SpecOf<K>['parse']> | SpecOf<K>['fallback'];

/** Names of the variables, in table order. */
export const ENV_NAMES: readonly EnvName[] = Object.keys(ENV_VARS) as EnvName[];

/**
 * Reads one variable: unset or '' gives its fallback; a set value is parsed and validated.
 * Throws `$NAME: <reason> (<meaning>; default: <default>)` on a bad value.
 */
export function readEnv<K extends EnvName>(name: K, env: EnvSource = process.env): EnvValue<K> {
  const s = ENV_VARS[name] as EnvVarSpec<unknown, unknown>;
  if (!s) throw new Error(`readEnv: unknown variable ${String(name)}; known: ${ENV_NAMES.join(', ')}`);
  const raw = env[name];
  if (raw === undefined || raw === '') return s.fallback as EnvValue<K>;
  try {
    return s.parse(raw) as EnvValue<K>;
  } catch (e) {
    throw new Error(`$${name}: ${(e as Error).message} (${s.meaning}; default: ${s.default})`);
  }
}

/** Reads and validates every variable at once (e.g. at start-up, to fail before any work). */
export function checkEnv(env: EnvSource = process.env): void {
  for (const n of ENV_NAMES) readEnv(n, env);
}

/** The README's table of variables (markdown), generated from ENV_VARS. */
export function envTableMarkdown(): string {
  const rows = ENV_NAMES.map((n) => {
    const s = ENV_VARS[n];
    return `| \`${n}\` | ${s.meaning} | ${s.default} | ${s.usedBy} |`;
  });
  return ['| variable | meaning | default | used by |', '|---|---|---|---|', ...rows].join('\n');
}
