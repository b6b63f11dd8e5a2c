// Learning-rate schedules: linear warm-up from a start value, then cosine decay to a floor, by step.
// Used by LM pretraining and by the LLM recommender methods (CoLLM's warm-up + cosine).
// Reference: Loshchilov & Hutter, SGDR (2017); CoLLM's LinearWarmupCosineLRScheduler.
import { checkInt, checkRange, mergeConfig } from './config';

/** Warm-up + cosine schedule settings. */
export interface WarmupCosineConfig {
  /** Peak learning rate reached at the end of warm-up (required). */
  readonly peakLr: number;
  /** Learning rate at step 0 (warm-up starts here); default 0 in makeWarmupCosine. */
  readonly warmupStartLr: number;
  /** Steps of linear warm-up, >= 0; default 0 (no warm-up). */
  readonly warmupSteps: number;
  /** Total steps; after it the rate stays at minLr (required). */
  readonly totalSteps: number;
  /** Floor of the cosine decay; default 0. */
  readonly minLr: number;
}

/** Completes and checks a schedule config. */
export function makeWarmupCosine(o: Partial<WarmupCosineConfig> & Pick<WarmupCosineConfig, 'peakLr' | 'totalSteps'>): WarmupCosineConfig {
  const c = mergeConfig<WarmupCosineConfig>('WarmupCosineConfig', { peakLr: o.peakLr, totalSteps: o.totalSteps, warmupStartLr: 0, warmupSteps: 0, minLr: 0 }, o);
  checkRange('WarmupCosineConfig', 'peakLr', c.peakLr, 0, 10, true);
  checkInt('WarmupCosineConfig', 'totalSteps', c.totalSteps, 1);
  checkInt('WarmupCosineConfig', 'warmupSteps', c.warmupSteps, 0);
  checkRange('WarmupCosineConfig', 'warmupStartLr', c.warmupStartLr, 0, c.peakLr);
  checkRange('WarmupCosineConfig', 'minLr', c.minLr, 0, c.peakLr);
  return Object.freeze(c);
}

/** The learning rate at a 0-based step. */
export function lrAt(c: WarmupCosineConfig, step: number): number {
  if (step < c.warmupSteps) return c.warmupStartLr + (c.peakLr - c.warmupStartLr) * (step / c.warmupSteps);
  const span = Math.max(1, c.totalSteps - c.warmupSteps);
  const t = Math.min(1, (step - c.warmupSteps) / span);
  return c.minLr + 0.5 * (c.peakLr - c.minLr) * (1 + Math.cos(Math.PI * t));
}
