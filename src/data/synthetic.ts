// The embedded default data: a deterministic MovieLens-like world. Users have latent tastes and genre
// preferences, items have titles, genres, release years and latent traits; ratings depend on both the
// collaborative (latent) structure and genre affinity; some users and items arrive only in later months
// (cold rows in valid/test). It is emitted as raw ratings and goes through the same protocol builder.
// Versions: v1 (random adjective + noun titles, weak genre effect) stays reproducible; v2, the default,
// draws title words from genre-associated vocabulary and gives preferences a strong genre part, so text
// that knows genres carries signal on cold rows while CF still leads on warm ones. Reference: docs/methods.md §1 (protocol).
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { makeRng, type Rng } from '../core/rng';
import { buildProtocolDataset, type Protocol } from './protocol';
import { RawColumns } from './raw';
import type { Dataset, ItemInfo, UserInfo } from './types';

/** Generator settings. */
export interface SyntheticConfig {
  /** Users generated (preset `default`: 800, `tiny`: 150). */
  readonly nUsers: number;
  /** Items generated (preset `default`: 1200, `tiny`: 120). */
  readonly nItems: number;
  /** Width of the hidden user/item taste vectors. */
  readonly latentDim: number;
  /** Mean ratings per user over the whole period (activity is log-normal around it). */
  readonly meanRatingsPerUser: number;
  /** Months simulated; slot 0 = January 2000. */
  readonly months: number;
  /** Share of users that join after the train window (cold users). */
  readonly lateUserShare: number;
  /** Share of items released after the train window (cold items). */
  readonly lateItemShare: number;
  /** Weight of the collaborative (latent dot product) term in the rating. */
  readonly cfWeight: number;
  /** Weight of the genre-affinity term in the rating. */
  readonly genreWeight: number;
  /** Std of the rating noise. */
  readonly noise: number;
  /** Generator version: 1 = random titles (kept reproducible), 2 = titles from genre vocabulary (default). */
  readonly version: 1 | 2;
  /** v2: share of title words drawn from the item's genres' vocabulary (the rest are neutral words). */
  readonly titleGenreShare: number;
  /** Seed of every random draw of the generator (presets: 7). */
  readonly seed: number;
}

/** Named sizes: `tiny` for tests (~5k ratings), `default` for the demo (~50k ratings); `-v1` = the first generator. */
export const SYNTHETIC_PRESETS = {
  tiny: { nUsers: 150, nItems: 100, latentDim: 4, meanRatingsPerUser: 60, months: 12, lateUserShare: 0.1, lateItemShare: 0.2, cfWeight: 3.0, genreWeight: 2.6, noise: 0.4, version: 2, titleGenreShare: 0.7, seed: 7 },
  // measured (2026-12-07): genre-only logistic regression test AUC 0.70 (warm 0.70, cold 0.68); MF warm 0.77, cold 0.51
  default: { nUsers: 800, nItems: 600, latentDim: 8, meanRatingsPerUser: 90, months: 12, lateUserShare: 0.1, lateItemShare: 0.2, cfWeight: 3.0, genreWeight: 2.6, noise: 0.4, version: 2, titleGenreShare: 0.7, seed: 7 },
  'tiny-v1': { nUsers: 150, nItems: 120, latentDim: 4, meanRatingsPerUser: 50, months: 12, lateUserShare: 0.15, lateItemShare: 0.1, cfWeight: 2.0, genreWeight: 0.8, noise: 0.4, version: 1, titleGenreShare: 0, seed: 7 },
  'default-v1': { nUsers: 800, nItems: 1200, latentDim: 8, meanRatingsPerUser: 60, months: 12, lateUserShare: 0.15, lateItemShare: 0.1, cfWeight: 1.6, genreWeight: 0.8, noise: 0.5, version: 1, titleGenreShare: 0, seed: 7 },
} as const satisfies Record<string, SyntheticConfig>;

/** Preset names. */
export type SyntheticPreset = keyof typeof SYNTHETIC_PRESETS;

/** The protocol applied to the world: train months 0-7, valid 8-9, test 10-11; label = rating >= 4. */
export const SYNTHETIC_PROTOCOL: Protocol = {
  positiveMin: 4,
  rule: { kind: 'month-window', originYear: 2000, originMonth: 1, train: [0, 7], valid: [8, 9], test: [10, 11] },
  validSmallFraction: 0.5, validSmallSeed: 2023,
};

const TRAIN_MONTHS = 8;

/** The 18 MovieLens genres. */
export const GENRES = ['Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'] as const;

const ADJ = ['Silent', 'Broken', 'Golden', 'Last', 'Hidden', 'Crimson', 'Lonely', 'Wild', 'Distant', 'Frozen', 'Burning', 'Secret',
  'Forgotten', 'Endless', 'Midnight', 'Electric', 'Little', 'Dark', 'Bright', 'Lost', 'Savage', 'Quiet', 'Painted', 'Restless'];
const NOUN = ['River', 'Garden', 'Kingdom', 'Road', 'Summer', 'Harbor', 'Mirror', 'Empire', 'Highway', 'Island', 'Promise', 'Station',
  'Shadow', 'Frontier', 'Orchard', 'Storm', 'Carnival', 'Letter', 'Circus', 'Valley', 'Machine', 'Canyon', 'Lantern', 'Horizon'];
/** v2 title vocabulary per genre (same order as GENRES): words a real title of that genre might use. */
const GENRE_WORDS: readonly (readonly string[])[] = [
  ['Fury', 'Strike', 'Bullet', 'Fist', 'Blast', 'Target', 'Steel', 'Chase', 'Vengeance', 'Force'],
  ['Quest', 'Treasure', 'Journey', 'Voyage', 'Jungle', 'Expedition', 'Odyssey', 'Explorer', 'Compass', 'Map'],
  ['Cartoon', 'Bunny', 'Toon', 'Doodle', 'Puppet', 'Crayon', 'Sketch', 'Animated', 'Pixel', 'Critter'],
  ['Puppy', 'Kids', 'Teddy', 'Playground', 'Lollipop', 'Bedtime', 'Kitten', 'Toybox', 'Balloon', 'Schoolyard'],
  ['Crazy', 'Wedding', 'Party', 'Goofy', 'Holiday', 'Nutty', 'Funny', 'Blunder', 'Prank', 'Silly'],
  ['Heist', 'Mob', 'Gangster', 'Racket', 'Cartel', 'Hustle', 'Getaway', 'Stickup', 'Godfather', 'Bandit'],
  ['Truth', 'Portrait', 'Inside', 'Chronicle', 'Report', 'Witness', 'Archive', 'Record', 'Footage', 'Study'],
  ['Tears', 'Family', 'Memory', 'Life', 'Sorrow', 'Mother', 'Father', 'Years', 'Grace', 'Choices'],
  ['Dragon', 'Wizard', 'Sword', 'Enchanted', 'Sorcerer', 'Elf', 'Spell', 'Unicorn', 'Realm', 'Magic'],
  ['Alley', 'Smoke', 'Dame', 'Noir', 'Neon', 'Gumshoe', 'Rain', 'Fedora', 'Double', 'Nightclub'],
  ['Blood', 'Scream', 'Grave', 'Curse', 'Haunting', 'Demon', 'Zombie', 'Skull', 'Nightmare', 'Crypt'],
  ['Song', 'Melody', 'Dance', 'Chorus', 'Rhythm', 'Broadway', 'Singing', 'Ballad', 'Tune', 'Stage'],
  ['Clue', 'Riddle', 'Puzzle', 'Secret', 'Enigma', 'Detective', 'Cipher', 'Whisper', 'Vanishing', 'Key'],
  ['Love', 'Heart', 'Kiss', 'Bride', 'Valentine', 'Romance', 'Darling', 'Sweetheart', 'Affair', 'Honeymoon'],
  ['Star', 'Galaxy', 'Robot', 'Planet', 'Android', 'Alien', 'Orbit', 'Cyborg', 'Nebula', 'Laser'],
  ['Danger', 'Fear', 'Trap', 'Panic', 'Edge', 'Hostage', 'Pursuit', 'Paranoia', 'Countdown', 'Stalker'],
  ['Battle', 'Soldier', 'Front', 'Siege', 'Platoon', 'Trenches', 'Regiment', 'Bomber', 'Invasion', 'Victory'],
  ['Gun', 'Outlaw', 'Ranch', 'Sheriff', 'Dust', 'Saddle', 'Cowboy', 'Rider', 'Prairie', 'Stagecoach'],
];
const NEUTRAL = ['River', 'Garden', 'Road', 'Summer', 'Harbor', 'Mirror', 'Highway', 'Island', 'Station', 'Valley', 'Last', 'Little',
  'Golden', 'Lost', 'Great', 'First', 'Long', 'Big', 'Old', 'New', 'Second', 'Far', 'Hidden', 'Bright'];

const OCCUPATIONS = ['student', 'engineer', 'artist', 'writer', 'doctor', 'educator', 'programmer', 'retired', 'sales', 'other'];

function makeTitle(rng: Rng, year: number, used: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const base = rng.next() < 0.3 ? `${NOUN[rng.int(NOUN.length)]} of the ${ADJ[rng.int(ADJ.length)]} ${NOUN[rng.int(NOUN.length)]}`
      : `${ADJ[rng.int(ADJ.length)]} ${NOUN[rng.int(NOUN.length)]}`;
    const t = attempt < 8 ? `${base} (${year})` : `${base} ${attempt - 6} (${year})`;
    const withArticle = rng.next() < 0.25 ? t.replace(/^(\S+ \S+)/, '$1, The') : t;
    if (!used.has(withArticle)) { used.add(withArticle); return withArticle; }
  }
}

/** v2: a title whose words come mostly from the genres' vocabulary, e.g. "Blood Grave Night (1987)". */
function makeTitleV2(rng: Rng, genres: readonly number[], year: number, share: number, used: Set<string>): string {
  const word = (): string => (rng.next() < share ? GENRE_WORDS[genres[rng.int(genres.length)]!]![rng.int(10)]! : NEUTRAL[rng.int(NEUTRAL.length)]!);
  for (let attempt = 0; ; attempt++) {
    const u = rng.next();
    const a = word(), b = word();
    const base = u < 0.25 ? `${a} of the ${b}` : u < 0.5 ? `The ${a} ${b}` : u < 0.65 ? `${a}` : `${a} ${b}`;
    const t = attempt < 12 ? `${base} (${year})` : `${base} ${attempt - 10} (${year})`;
    const withArticle = t.startsWith('The ') ? t.replace(/^The (.+?) \((\d{4})\)$/, (_m, x: string, y: string) => (rng.next() < 0.5 ? `${x}, The (${y})` : `The ${x} (${y})`)) : t;
    if (!used.has(withArticle) && !/ (\w+) \1\b/.test(` ${base}`)) { used.add(withArticle); return withArticle; }
  }
}

function vec(rng: Rng, d: number, scale: number): Float64Array {
  return Float64Array.from({ length: d }, () => rng.normal() * scale);
}

/** Validates and completes a generator config (preset name or partial fields over `default`). */
export function makeSyntheticConfig(opts: SyntheticPreset | Partial<SyntheticConfig> = 'default'): SyntheticConfig {
  const c = typeof opts === 'string' ? (SYNTHETIC_PRESETS[opts] ?? (() => { throw new Error(`unknown synthetic preset "${opts}" (known: ${Object.keys(SYNTHETIC_PRESETS).join(', ')})`); })())
    : mergeConfig<SyntheticConfig>('synthetic', SYNTHETIC_PRESETS.default, opts);
  checkInt('synthetic', 'nUsers', c.nUsers, 10);
  checkInt('synthetic', 'nItems', c.nItems, 10);
  checkInt('synthetic', 'latentDim', c.latentDim, 1);
  checkRange('synthetic', 'meanRatingsPerUser', c.meanRatingsPerUser, 1, c.nItems);
  checkInt('synthetic', 'months', c.months, 12);
  checkRange('synthetic', 'lateUserShare', c.lateUserShare, 0, 0.9);
  checkRange('synthetic', 'lateItemShare', c.lateItemShare, 0, 0.9);
  if (c.version !== 1 && c.version !== 2) throw new Error(`synthetic: version must be 1 or 2, got ${String(c.version)}`);
  checkRange('synthetic', 'titleGenreShare', c.titleGenreShare, 0, 1);
  checkInt('synthetic', 'seed', c.seed, 0);
  return c;
}

/** Generates the world and builds its protocol splits; equal configs give identical datasets. */
export function syntheticWorld(opts: SyntheticPreset | Partial<SyntheticConfig> = 'default'): Dataset {
  const c = makeSyntheticConfig(opts);
  const rng = makeRng(c.seed);
  const nG = GENRES.length, scale = 1 / Math.sqrt(c.latentDim);
  const genreTaste = Array.from({ length: nG }, () => vec(rng, c.latentDim, 1));

  const items = new Map<number, ItemInfo>();
  const itemVec: Float64Array[] = [], itemGenres: number[][] = [], itemPop: number[] = [], itemMonth: number[] = [], itemBias: number[] = [];
  const used = new Set<string>();
  for (let i = 0; i < c.nItems; i++) {
    const k = 1 + (rng.next() < 0.5 ? 0 : rng.next() < 0.6 ? 1 : 2);
    const g = new Set<number>();
    while (g.size < k) g.add(rng.int(nG));
    const gs = [...g].sort((a, b) => a - b);
    const v = vec(rng, c.latentDim, 0.6);
    for (const x of gs) for (let d = 0; d < c.latentDim; d++) v[d]! += 0.5 * genreTaste[x]![d]! / gs.length;
    const late = rng.next() < c.lateItemShare;
    const year = late ? 2000 : 1930 + Math.floor(70 * Math.sqrt(rng.next()));
    const title = c.version === 1 ? makeTitle(rng, year, used) : makeTitleV2(rng, gs, year, c.titleGenreShare, used);
    items.set(i + 1, { title, genres: gs.map((x) => GENRES[x]!), year });
    itemVec.push(v);
    itemGenres.push(gs);
    itemPop.push(Math.exp(1.1 * rng.normal()));
    itemMonth.push(late ? TRAIN_MONTHS + rng.int(c.months - TRAIN_MONTHS) : 0);
    itemBias.push(0.4 * rng.normal());
  }

  const users = new Map<number, UserInfo>();
  const cols = new RawColumns();
  const monthStart = (m: number): number => Date.UTC(2000, m, 1) / 1000;
  for (let u = 0; u < c.nUsers; u++) {
    const late = rng.next() < c.lateUserShare;
    const joined = late ? TRAIN_MONTHS + rng.int(c.months - TRAIN_MONTHS) : rng.int(TRAIN_MONTHS);
    const genrePref = Float64Array.from({ length: nG }, () => rng.normal());
    const uv = vec(rng, c.latentDim, 0.6);
    let best = 0;
    for (let g = 1; g < nG; g++) if (genrePref[g]! > genrePref[best]!) best = g;
    for (let d = 0; d < c.latentDim; d++) uv[d]! += 0.5 * genreTaste[best]![d]!;
    const bias = 0.3 * rng.normal();
    users.set(u + 1, { gender: rng.next() < 0.7 ? 'M' : 'F', age: 18 + rng.int(45), occupation: OCCUPATIONS[rng.int(OCCUPATIONS.length)]! });
    const activeMonths = c.months - joined;
    const n = Math.min(c.nItems - 1, Math.max(3, Math.round(c.meanRatingsPerUser * (activeMonths / c.months) * Math.exp(0.6 * rng.normal() - 0.18))));
    const seen = new Set<number>();
    for (let tries = 0; seen.size < n && tries < n * 20; tries++) {
      const t = monthStart(joined) + rng.next() * (monthStart(c.months) - monthStart(joined));
      const month = new Date(t * 1000).getUTCMonth() + 12 * (new Date(t * 1000).getUTCFullYear() - 2000);
      const i = rng.int(c.nItems);
      if (seen.has(i) || itemMonth[i]! > month) continue;
      const gAff = itemGenres[i]!.reduce((a, g) => a + genrePref[g]!, 0) / itemGenres[i]!.length;
      if (rng.next() > Math.min(1, itemPop[i]! * Math.exp(0.7 * gAff) / 4)) continue;
      seen.add(i);
      let dot = 0;
      for (let d = 0; d < c.latentDim; d++) dot += uv[d]! * itemVec[i]![d]!;
      const score = 3.4 + bias + itemBias[i]! + c.cfWeight * dot * scale + c.genreWeight * 0.5 * gAff + c.noise * rng.normal();
      cols.push(u + 1, i + 1, Math.min(5, Math.max(1, Math.round(score))), Math.floor(t));
    }
  }
  const raw = cols.finish('synthetic', items, users, []);
  const ds = buildProtocolDataset(raw, SYNTHETIC_PROTOCOL, 'synthetic');
  return { ...ds, source: { generator: 'syntheticWorld', config: c, protocol: SYNTHETIC_PROTOCOL, ratings: raw.user.length } };
}
