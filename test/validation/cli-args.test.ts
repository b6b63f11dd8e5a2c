// Issue 16, CLI numbers: every numeric flag is parsed strictly before any work (integers as plain
// decimal integers, decimals as plain finite numbers, each within its range), repeated flags are
// refused, and every command's numeric flags go through the strict parser (checked on the sources).
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { intListFlag, jsonObjectFlag, parseFlags, parseIntStrict, parseNumberStrict, type FlagSpec } from '../../src/cli/args';

const FLAGS: Record<string, FlagSpec> = {
  seed: { type: 'int', help: 'seed', default: '0', min: 0, max: 0xffffffff },
  'test-rows': { type: 'int', help: 'rows', default: '0', min: 0 },
  epochs: { type: 'int', help: 'epochs', min: 1 },
  lr: { type: 'number', help: 'lr' },
  dropout: { type: 'number', help: 'dropout', min: 0, max: 0.99 },
  model: { type: 'string', help: 'model', default: 'mf' },
  fresh: { type: 'boolean', help: 'fresh', default: false },
};
const parse = (argv: string[]) => parseFlags('cmd', 'summary', FLAGS, argv);

describe('numeric flags: bad values are refused, naming the flag', () => {
  const cases: [string, string[], string][] = [
    ['negative row count', ['--test-rows=-5'], '--test-rows: -5 is below the smallest allowed value, 0'],
    ['fractional integer', ['--test-rows', '7.9'], '--test-rows: expected an integer written in plain decimal digits'],
    ['hex seed', ['--seed', '0x10'], '--seed: expected an integer written in plain decimal digits (e.g. 7), got "0x10"'],
    ['octal-looking seed', ['--seed', '010'], '--seed: expected an integer'],
    ['binary seed', ['--seed', '0b11'], '--seed: expected an integer'],
    ['exponent integer', ['--epochs', '1e3'], '--epochs: expected an integer'],
    ['empty integer', ['--epochs='], '--epochs: expected an integer'],
    ['NaN integer', ['--epochs', 'NaN'], '--epochs: expected an integer'],
    ['Infinity integer', ['--epochs', 'Infinity'], '--epochs: expected an integer'],
    ['plus sign', ['--epochs', '+5'], '--epochs: expected an integer'],
    ['leading space', ['--epochs', ' 5'], '--epochs: expected an integer'],
    ['trailing space', ['--epochs', '5 '], '--epochs: expected an integer'],
    ['trailing text', ['--epochs', '5x'], '--epochs: expected an integer'],
    ['thousands separator', ['--epochs', '1,000'], '--epochs: expected an integer'],
    ['underscore separator', ['--epochs', '1_000'], '--epochs: expected an integer'],
    ['unsafe integer', ['--epochs', '9007199254740993'], '--epochs: expected an integer'],
    ['zero epochs', ['--epochs', '0'], '--epochs: 0 is below the smallest allowed value, 1'],
    ['seed above uint32', ['--seed', '4294967296'], '--seed: 4294967296 is above the largest allowed value, 4294967295'],
    ['negative seed', ['--seed=-1'], '--seed: -1 is below'],
    ['NaN decimal', ['--lr', 'NaN'], '--lr: expected a finite decimal number'],
    ['Infinity decimal', ['--lr', 'Infinity'], '--lr: expected a finite decimal number'],
    ['overflowing decimal', ['--lr', '1e999'], '--lr: expected a finite decimal number'],
    ['hex decimal', ['--lr', '0x1'], '--lr: expected a finite decimal number'],
    ['empty decimal', ['--lr='], '--lr: expected a finite decimal number'],
    ['plus-sign decimal', ['--lr', '+0.1'], '--lr: expected a finite decimal number'],
    ['comma decimal', ['--lr', '0,1'], '--lr: expected a finite decimal number'],
    ['decimal above range', ['--dropout', '1'], '--dropout: 1 is above the largest allowed value, 0.99'],
    ['negative value without =', ['--test-rows', '-5'], "Option '--test-rows' argument is ambiguous"],
    ['repeated flag', ['--seed', '1', '--seed', '2'], '--seed is given more than once'],
    ['unknown flag', ['--sed', '1'], "Unknown option '--sed'"],
    ['positional argument', ['mf'], "Unexpected argument 'mf'"],
    ['boolean flag with a value', ['--fresh=yes'], "Option '--fresh' does not take an argument"],
    ['numeric flag without its value', ['--epochs'], "Option '--epochs <value>' argument missing"],
    ['single-dash flag', ['-seed', '1'], "Unknown option '-s'"],
  ];
  it.each(cases)('%s: %j', (_name, argv, fragment) => {
    expect(() => parse(argv)).toThrow(fragment);
  });
  it('names the command in every error', () => {
    expect(() => parse(['--seed', '0x10'])).toThrow(/^cmd: --seed/);
  });
});

describe('numeric flags: good values pass unchanged', () => {
  const cases: [string[], string, string][] = [
    [['--test-rows=0'], 'test-rows', '0'],
    [['--seed', '4294967295'], 'seed', '4294967295'],
    [['--lr', '1e-3'], 'lr', '1e-3'],
    [['--lr', '.5'], 'lr', '.5'],
    [['--lr', '5.'], 'lr', '5.'],
    [['--lr=-0.5'], 'lr', '-0.5'],
    [['--dropout', '0.99'], 'dropout', '0.99'],
  ];
  it.each(cases)('%j', (argv, flag, value) => {
    expect(parse(argv)[flag]).toBe(value);
  });
  it('parses integers and decimals strictly', () => {
    expect(parseIntStrict('x', '16')).toBe(16);
    expect(parseIntStrict('x', '-3')).toBe(-3);
    expect(parseNumberStrict('x', '2.5e-4')).toBeCloseTo(2.5e-4, 12);
  });
  it('checks comma-separated integer lists item by item', () => {
    expect(intListFlag({ seeds: '0,1,2' }, 'seeds', { min: 0 })).toEqual([0, 1, 2]);
    expect(() => intListFlag({ seeds: '0,1.5' }, 'seeds')).toThrow('--seeds: expected an integer written in plain decimal digits (e.g. 7), got "1.5"');
    expect(() => intListFlag({ seeds: '0, 1' }, 'seeds')).toThrow('got " 1"');
    expect(() => intListFlag({ seeds: '0,,1' }, 'seeds')).toThrow('got ""');
    expect(() => intListFlag({ seeds: '' }, 'seeds')).toThrow('--seeds: expected a comma-separated list');
    expect(() => intListFlag({ seeds: '1,1' }, 'seeds')).toThrow('--seeds: 1 appears twice');
    expect(() => intListFlag({ seeds: '-1' }, 'seeds', { min: 0 })).toThrow('--seeds: -1 is below');
  });

  it('reads JSON-object flags and refuses other JSON, naming the flag', () => {
    expect(jsonObjectFlag({}, 'lora')).toBeUndefined();
    expect(jsonObjectFlag({ lora: '{"r":16,"targets":["q_proj"]}' }, 'lora')).toEqual({ r: 16, targets: ['q_proj'] });
    expect(() => jsonObjectFlag({ lora: '{r:16}' }, 'lora')).toThrow(/^--lora: not valid JSON \(.*\): \{r:16\}$/);
    for (const v of ['[1]', 'null', '3']) expect(() => jsonObjectFlag({ options: v }, 'options')).toThrow(`--options: expected a JSON object, got ${v}`);
  });
});

describe('every command parses its numeric flags strictly (source check)', () => {
  const dir = path.resolve(__dirname, '..', '..', 'src', 'cli');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'args.ts');
  it.each(files.map((f) => [f]))('%s', (file) => {
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    // no hand-rolled parsing of a flag value: Number('0x10') is 16, parseInt('7.9') is 7 (Number() of a
    // regex-checked match group is fine)
    expect(src, `${file} parses a flag value itself`).not.toMatch(/\bNumber\(\s*(f\[|values\b|String\(f\[)|parseInt\(|parseFloat\(|\.map\(Number\)/);
    const types = new Map<string, string>();
    for (const m of src.matchAll(/'?([\w-]+)'?: \{ type: '(\w+)'/g)) types.set(m[1]!, m[2]!);
    for (const m of src.matchAll(/\b(intFlag|numberFlag|intListFlag)\(f, '([\w-]+)'/g)) {
      const declared = types.get(m[2]!);
      const want = m[1] === 'numberFlag' ? 'number' : m[1] === 'intFlag' ? 'int' : 'string';
      expect(declared, `${file}: ${m[1]}(f, '${m[2]}') reads a flag declared as ${declared}`).toBe(want);
    }
    // a flag whose name says it is a count, size, seed or rate is declared numeric
    for (const [name, type] of types) {
      if (/^(seed|epochs|iters|patience|batch|dim|rank|lr|wd|dropout|init-std|max-history|test-rows|valid-rows|valid-tokens|max-facts|max-minutes)$/.test(name)) {
        expect(['int', 'number'], `${file}: --${name} is declared as ${type}`).toContain(type);
      }
    }
  });
});

describe('bench scripts parse their numeric flags strictly (source check)', () => {
  const dir = path.resolve(__dirname, '..', '..', 'bench');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.js')) : [];
  it.each(files.map((f) => [f]))('%s', (file) => {
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    expect(src, `${file} parses a flag value itself`).not.toMatch(/\bNumber\(\s*values\b|parseInt\(\s*values\b|parseFloat\(\s*values\b|\.map\(Number\)/);
  });
});
