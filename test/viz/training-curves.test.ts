// The training-curves figure: two panels (loss, validation AUC) sharing one legend entry and colour per run.
import { describe, expect, it } from 'vitest';
import { trainingCurvesFigure } from '../../src/viz/training-curves';

const rows = [0, 1, 2].flatMap((epoch) => [
  { run: 'TALLRec', epoch, trainLoss: 0.7 - epoch / 100, validAuc: 0.5 + epoch / 100 },
  { run: 'CoRA', epoch, trainLoss: 0.6 - epoch / 50, validAuc: 0.55 + epoch / 50 },
]);

describe('trainingCurvesFigure', () => {
  it('draws loss and AUC per run in two panels with the given titles', () => {
    const f = trainingCurvesFigure(rows, { title: 'curves', lossTitle: 'mean BCE per epoch', xDtick: 5 });
    expect(f.data.map((t) => `${t['name']}@${t['yaxis']}`)).toEqual(['TALLRec@y', 'CoRA@y', 'TALLRec@y2', 'CoRA@y2']);
    expect(f.data[1]!['y']).toEqual(rows.filter((r) => r.run === 'CoRA').map((r) => r.trainLoss));
    expect(f.data[3]!['y']).toEqual(rows.filter((r) => r.run === 'CoRA').map((r) => r.validAuc));
    expect(f.data.map((t) => t['showlegend'])).toEqual([true, true, false, false]);
    expect((f.layout['yaxis'] as { title: { text: string } }).title.text).toBe('mean BCE per epoch');
    expect((f.layout['xaxis2'] as { dtick: number }).dtick).toBe(5);
    expect((f.layout['title'] as { text: string }).text).toBe('curves');
  });

  it('refuses an empty history', () => {
    expect(() => trainingCurvesFigure([], { title: 't' })).toThrow(/no epochs/);
  });
});
