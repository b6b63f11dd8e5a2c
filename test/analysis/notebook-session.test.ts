// A notebook's session settings: the config cell's scale unless $CFLLM_SCALE is set (headless runs),
// figures to an untracked session folder unless the cell asks for figures/ or $CFLLM_FIGURES_DIR is set.
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { notebookSession } from '../../src/analysis/notebook-session';
import { projectRoot } from '../../src/core/paths';

const KEYS = ['CFLLM_SCALE', 'CFLLM_FIGURES_DIR', 'CFLLM_RUNS_DIR', 'CFLLM_FIGURE_MODE'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
const clear = () => { for (const k of KEYS) delete process.env[k]; };

describe('notebookSession', () => {
  it('uses the config cell without environment: its scale, the session figure folder, interactive figures', () => {
    clear();
    const s = notebookSession({ scale: 'smoke' });
    expect(s.scale).toBe('smoke');
    expect(s.figuresDir).toBe(path.join(projectRoot(), 'results', 'notebooks', 'smoke', 'figures'));
    expect(s.figureMode).toBe('interactive');
    expect(s.summary).toBe("scale smoke (config cell); figures to results/notebooks/smoke/figures/ (config cell: figures 'session'; 'repo' writes figures/); figure mode interactive");
    expect(notebookSession({ scale: 'paper', figures: 'repo' }).figuresDir).toBe(path.join(projectRoot(), 'figures'));
    expect(notebookSession().scale).toBe('default');
  });

  it('lets the headless runner override scale, figure folder and mode through the environment', () => {
    clear();
    Object.assign(process.env, { CFLLM_SCALE: 'smoke', CFLLM_FIGURES_DIR: '.cache/nb/figures', CFLLM_FIGURE_MODE: 'static' });
    const s = notebookSession({ scale: 'default', figures: 'repo' });
    expect([s.scale, s.figuresDir, s.figureMode]).toEqual(['smoke', path.resolve('.cache/nb/figures'), 'static']);
    expect(s.summary).toMatch(/^scale smoke \(\$CFLLM_SCALE, over the config cell's default\); figures to .*\(\$CFLLM_FIGURES_DIR\); figure mode static$/);
  });

  it('rejects an unknown scale or figure target, naming the field', () => {
    clear();
    expect(() => notebookSession({ scale: 'huge' as never })).toThrow(/notebookSession: scale: "huge" is not a scale/);
    expect(() => notebookSession({ figures: 'figures' as never })).toThrow(/figures must be 'session' or 'repo' \(got "figures"\)/);
  });
});
