// Issue 16, input folders are read-only: model cards of models the kit did not write go to
// results/lm-cards/<name>/ (or --out outside the model), run and work folders may not lie inside a data,
// corpus, model or input-run folder, and names cannot escape models/. Checked before any work.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { assertFolderOrAbsent, assertOutsideInputs, assertPlainName, dataInputs, isInside, isKitModel, lmCardOutDir, recInputs } from '../../src/cli/outputs';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-'));
function world() {
  const root = tmp();
  const kit = path.join(root, 'models', 'kit-lm');
  fs.mkdirSync(kit, { recursive: true });
  fs.writeFileSync(path.join(kit, 'config.json'), '{}');
  fs.writeFileSync(path.join(kit, 'training.json'), '{}');
  const downloaded = path.join(root, 'models', 'SmolLM2-135M');  // under models/ but not written by the kit
  fs.mkdirSync(downloaded, { recursive: true });
  fs.writeFileSync(path.join(downloaded, 'config.json'), '{}');
  const elsewhere = path.join(tmp(), 'Qwen2.5-0.5B');
  fs.mkdirSync(elsewhere);
  return { root, kit, downloaded, elsewhere };
}

describe('lm-card writes the card where it may', () => {
  const w = world();
  const cases: [string, string, string | undefined, string | RegExp][] = [
    ['the kit\'s own model: in place', w.kit, undefined, w.kit],
    ['a downloaded model under models/: results/lm-cards', w.downloaded, undefined, path.join(w.root, 'results', 'lm-cards', 'SmolLM2-135M')],
    ['a model outside the project: results/lm-cards', w.elsewhere, undefined, path.join(w.root, 'results', 'lm-cards', 'Qwen2.5-0.5B')],
    ['--out elsewhere', w.elsewhere, path.join(w.root, 'cards', 'q'), path.join(w.root, 'cards', 'q')],
    ['--out = the downloaded model', w.downloaded, w.downloaded, /--out .* is inside .*SmolLM2-135M \(--model\): input folders are read-only/],
    ['--out inside the downloaded model', w.elsewhere, path.join(w.elsewhere, 'card'), /input folders are read-only to the kit/],
    ['--out is a file', w.kit, path.join(w.kit, 'config.json'), /--out .*config.json is a file; give a folder/],
  ];
  it.each(cases)('%s', (_name, model, out, want) => {
    if (typeof want === 'string') expect(lmCardOutDir(model, w.root, out)).toBe(want);
    else expect(() => lmCardOutDir(model, w.root, out)).toThrow(want);
  });
  it('tells kit models from others', () => {
    expect(isKitModel(w.kit, w.root)).toBe(true);
    expect(isKitModel(w.downloaded, w.root)).toBe(false);
    expect(isKitModel(w.elsewhere, w.root)).toBe(false);
  });
  it('lm-card writes nothing before its checks and nothing into the model folder', () => {
    const src = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src', 'cli', 'lm-card.ts'), 'utf8');
    expect(src).not.toMatch(/write\w*\(path\.join\(dir,/);
    const firstWrite = src.search(/write\w*Atomic\(/);
    expect(firstWrite).toBeGreaterThan(src.indexOf('lmCardOutDir(dir'));
    expect(firstWrite).toBeGreaterThan(src.indexOf('clozeAccuracy(m'));  // after all the work: a crash writes nothing
  });
});

describe('output folders stay outside input folders', () => {
  const w = world();
  const data = path.join(w.root, 'mydata');
  const cfRun = path.join(w.root, 'results', 'runs', 'mf-s0');
  fs.mkdirSync(cfRun, { recursive: true });
  const link = path.join(w.root, 'link-to-data');
  fs.mkdirSync(data);
  fs.symlinkSync(data, link);
  const cases: [string, string, () => unknown, string | null][] = [
    ['run folder = data folder', '--out', () => assertOutsideInputs('--out', data, dataInputs(data)), '(--data-dir): input folders are read-only'],
    ['run folder inside the data folder', '--out', () => assertOutsideInputs('--out', path.join(data, 'collm-ml1m', 'run'), dataInputs(data)), 'is inside'],
    ['run folder inside the data folder through a symlink', '--out', () => assertOutsideInputs('--out', path.join(link, 'run'), dataInputs(data)), 'is inside'],
    ['run folder = the --cf-run folder', '--out', () => assertOutsideInputs('--out', cfRun, recInputs({ 'cf-run': cfRun })), '(--cf-run)'],
    ['run folder = the --stage1-run folder', '--out', () => assertOutsideInputs('--out', cfRun, recInputs({ 'stage1-run': cfRun })), '(--stage1-run)'],
    ['run folder inside the --llm folder', '--out', () => assertOutsideInputs('--out', path.join(w.elsewhere, 'r'), recInputs({ llm: w.elsewhere })), '(--llm)'],
    ['run folder beside the inputs', '--out', () => assertOutsideInputs('--out', path.join(w.root, 'results', 'runs', 'cora-s0'), recInputs({ 'cf-run': cfRun, 'data-dir': data, llm: w.elsewhere })), null],
    ['a name sharing a prefix is not inside', '--out', () => assertOutsideInputs('--out', data + '-runs', dataInputs(data)), null],
    ['work folder is a file', '--work', () => assertFolderOrAbsent('--work', path.join(w.kit, 'config.json')), 'is a file; give a folder'],
    ['run folder is a file', '--out', () => assertOutsideInputs('--out', path.join(w.kit, 'config.json'), dataInputs(data)), '--out ' + path.join(w.kit, 'config.json') + ' is a file; give a folder'],
    ['model name with a slash', '--name', () => assertPlainName('--name', '../escape'), '--name: "../escape" is not a plain folder name'],
    ['model name ..', '--name', () => assertPlainName('--name', '..'), 'not a plain folder name'],
    ['empty model name', '--name', () => assertPlainName('--name', ''), 'not a plain folder name'],
    ['model name with spaces around', '--name', () => assertPlainName('--name', ' kit'), 'not a plain folder name'],
  ];
  it.each(cases)('%s', (_name, _flag, act, fragment) => {
    if (fragment === null) expect(act).not.toThrow();
    else expect(act).toThrow(fragment);
  });
  it('compares folders that do not exist yet', () => {
    expect(isInside(path.join(data, 'a', 'b'), data)).toBe(true);
    expect(isInside(path.join(w.root, 'nope', 'x'), path.join(w.root, 'nope'))).toBe(true);
    expect(isInside(w.root, data)).toBe(false);
  });
});

describe('kit models are recognised by their weights too', () => {
  it('a models/ folder whose safetensors metadata says cf-llm-kit wrote it (adapt-lm) is the kit\'s', async () => {
    const { writeSafetensors } = await import('../../src/core/safetensors');
    const w = world();
    const adapted = path.join(w.root, 'models', 'kit-lm-synthetic');
    writeSafetensors(path.join(adapted, 'model.safetensors'), { w: { shape: [1], data: new Float32Array([1]) } }, { source: 'cf-llm-kit adapt-lm' });
    const foreign = path.join(w.root, 'models', 'other');
    writeSafetensors(path.join(foreign, 'model.safetensors'), { w: { shape: [1], data: new Float32Array([1]) } }, { format: 'pt' });
    expect(isKitModel(adapted, w.root)).toBe(true);
    expect(lmCardOutDir(adapted, w.root)).toBe(adapted);
    expect(isKitModel(foreign, w.root)).toBe(false);
    expect(lmCardOutDir(foreign, w.root)).toBe(path.join(w.root, 'results', 'lm-cards', 'other'));
  });
});
