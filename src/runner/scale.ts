// The scale setting every notebook reads: `smoke` (seconds to a minute, what CI runs), `default`
// (minutes on a laptop CPU) and `paper` (the full runs behind the README tables).
// Reference: issue "notebooks" (scale setting).

/** A notebook scale. */
export type Scale = 'smoke' | 'default' | 'paper';

/** The scales, smallest first. */
export const SCALES: readonly Scale[] = ['smoke', 'default', 'paper'];

/** Parses a scale name (e.g. $CFLLM_SCALE); undefined or '' gives `fallback`. Throws on anything else. */
export function parseScale(value: string | undefined, fallback: Scale = 'default', source = '$CFLLM_SCALE'): Scale {
  if (value === undefined || value === '') return fallback;
  if (!(SCALES as readonly string[]).includes(value)) throw new Error(`${source}: "${value}" is not a scale; use one of ${SCALES.join(', ')}`);
  return value as Scale;
}

/** Picks the entry of `table` for `scale` (every scale must have one). */
export function byScale<T>(scale: Scale, table: Readonly<Record<Scale, T>>): T {
  if (!(scale in table)) throw new Error(`byScale: no entry for scale "${scale}"`);
  return table[scale];
}
