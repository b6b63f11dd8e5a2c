// Named phases of domain adaptation, measured on the synthetic world with models/kit-lm (results/item-knowledge.json):
// a question-only phase teaches the skill (and wrecks general text), a mixed phase after it restores
// the general text while keeping the skill and adds titles-only questions. Explicit flags override a preset.
// Reference: README.md (Language models, item knowledge).
import type { AdaptConfig } from './adapt';

/** A phase: adaptation config fields plus the question set's make-up. */
export interface AdaptPreset {
  readonly summary: string;
  readonly config: Readonly<Partial<AdaptConfig>>;
  /** Share of skill questions shown with titles only (the rest have genres written in). */
  readonly titlesOnlyShare: number;
}

// plain Adam-like steps: no clipping, no decay, β2 0.999 (with β2 0.95 and clipping the skill did not start)
const STEADY: Partial<AdaptConfig> = { warmupSteps: 20, clip: 1e6, adamBeta2: 0.999, weightDecay: 0, questionBatch: 16, questionSmoothing: 0.1, probeEverySteps: 250, skillShare: 0 };

export const ADAPT_PRESETS: Readonly<Record<string, AdaptPreset>> = Object.freeze({
  'skill-questions': {
    summary: 'question-only phase: 16 skill questions per step with genres written in, no LM windows, constant lr 3e-4, the first 1,500 steps with short histories (costs general text; follow with "mixed")',
    config: { ...STEADY, batchSize: 0, steps: 3000, peakLr: 3e-4, minLr: 3e-4, questionShortSteps: 1500 },
    titlesOnlyShare: 0,
  },
  mixed: {
    summary: 'mixed phase: 8 LM windows (40% item text, 10% facts, 50% general replay) + 16 skill questions (half titles only) per step, lr 3e-4 -> 3e-5',
    config: { ...STEADY, batchSize: 8, steps: 3000, peakLr: 3e-4, minLr: 3e-5, itemShare: 0.4, factsShare: 0.1 },
    titlesOnlyShare: 0.5,
  },
});

/** The preset of a name. @throws naming the known presets */
export function adaptPreset(name: string): AdaptPreset {
  const p = ADAPT_PRESETS[name];
  if (!p) throw new Error(`adapt-lm: unknown --preset "${name}" (known: ${Object.keys(ADAPT_PRESETS).join(', ')})`);
  return p;
}
