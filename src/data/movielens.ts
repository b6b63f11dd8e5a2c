// Readers for the original GroupLens MovieLens files: ML-1M ("::"-separated, latin-1) and ML-100K
// (tab-separated u.data, "|"-separated u.item / u.user, latin-1). Ids stay the original ones here;
// the protocol builder remaps them. Reference: the GroupLens READMEs in ../shared/data/ml-*/README.
import * as fs from 'fs';
import * as path from 'path';
import { RawColumns, yearFromTitle, type RawInteractions } from './raw';
import { DataFileError, forEachLine, intField, requireRows, splitFields } from './text-file';
import type { ItemInfo, UserInfo } from './types';

/** ML-1M occupation codes (README of ML-1M). */
const ML1M_OCCUPATIONS = ['other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service',
  'doctor/health care', 'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer', 'retired',
  'sales/marketing', 'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman', 'unemployed', 'writer'];

function checkRating(r: number, file: string, lineNo: number): number {
  if (!(r >= 1 && r <= 5)) throw new DataFileError(file, lineNo, `rating ${r} is outside 1..5`);
  return r;
}

/** The id, unless `seen` already holds it (a second line for the same id would silently replace the first). */
function uniqueId(seen: ReadonlyMap<number, unknown>, id: number, field: string, file: string, lineNo: number): number {
  if (seen.has(id)) throw new DataFileError(file, lineNo, `${field} ${id} appears a second time; each id must have one line`);
  return id;
}

/** Largest Unix time in seconds the readers accept (year 5138); larger values are milliseconds. */
const MAX_UNIX_SECONDS = 1e11;

function checkSeconds(t: number, file: string, lineNo: number): number {
  if (t < 0) throw new DataFileError(file, lineNo, `timestamp ${t} is negative; expected Unix seconds`);
  return t;
}

/** Throws naming the file, the count and the date range when timestamps are milliseconds, not Unix seconds. */
function checkTimestampUnit(cols: RawColumns, file: string): void {
  let n = 0, first = -1, lo = Infinity, hi = -Infinity;
  cols.timestamp.forEach((t, k) => {
    if (t <= MAX_UNIX_SECONDS) return;
    n++;
    if (first < 0) first = k;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  });
  if (n === 0) return;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  throw new DataFileError(file, null, `${n} of ${cols.timestamp.length} ratings have timestamps beyond year 5000 as Unix seconds (the first is rating ${first + 1}, ` +
    `${cols.timestamp[first]}); read as milliseconds they date from ${day(lo)} to ${day(hi)}: the file has millisecond timestamps; the kit expects Unix seconds (divide by 1000)`);
}

/** Options of the ML-1M reader. */
export interface Ml1mOptions {
  /** Ratings file inside the folder; default ratings.dat, else ratings.dat.gz. */
  readonly ratingsFile?: string;
}

/** Reads ML-1M's movies.dat, users.dat and a ratings file from `dir`. */
export function readMl1m(dir: string, opts: Ml1mOptions = {}): RawInteractions {
  const moviesFile = path.join(dir, 'movies.dat');
  const items = new Map<number, ItemInfo>();
  forEachLine(moviesFile, 'latin1', (line, n) => {
    const [id, title, genres] = splitFields(line, '::', 3, moviesFile, n) as [string, string, string];
    items.set(uniqueId(items, intField(id, 'MovieID', moviesFile, n), 'MovieID', moviesFile, n), { title, genres: genres ? genres.split('|') : [], year: yearFromTitle(title) });
  });
  requireRows(moviesFile, items.size, 'movies');
  const usersFile = path.join(dir, 'users.dat');
  let users: Map<number, UserInfo> | null = null;
  if (fs.existsSync(usersFile)) {
    users = new Map();
    const u = users;
    forEachLine(usersFile, 'latin1', (line, n) => {
      const [id, gender, age, occ] = splitFields(line, '::', 5, usersFile, n) as [string, string, string, string];
      const code = intField(occ, 'Occupation', usersFile, n);
      u.set(uniqueId(u, intField(id, 'UserID', usersFile, n), 'UserID', usersFile, n), { gender, age: intField(age, 'Age', usersFile, n), occupation: ML1M_OCCUPATIONS[code] ?? String(code) });
    });
    requireRows(usersFile, u.size, 'users');
  }
  const ratingsFile = opts.ratingsFile ? path.resolve(dir, opts.ratingsFile)
    : ['ratings.dat', 'ratings.dat.gz'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!ratingsFile) {
    throw new DataFileError(path.join(dir, 'ratings.dat'), null, 'file not found (the full ML-1M ratings.dat is needed; ' +
      'a prefix such as ratings_first487650.dat.gz can be named with the ratingsFile option, for tests only)');
  }
  const cols = new RawColumns();
  forEachLine(ratingsFile, 'latin1', (line, n) => {
    const [u, i, r, t] = splitFields(line, '::', 4, ratingsFile, n) as [string, string, string, string];
    cols.push(intField(u, 'UserID', ratingsFile, n), intField(i, 'MovieID', ratingsFile, n),
      checkRating(intField(r, 'Rating', ratingsFile, n), ratingsFile, n), checkSeconds(intField(t, 'Timestamp', ratingsFile, n), ratingsFile, n));
  });
  requireRows(ratingsFile, cols.user.length, 'ratings');
  checkTimestampUnit(cols, ratingsFile);
  return cols.finish('ml-1m', items, users, [moviesFile, ...(users ? [usersFile] : []), ratingsFile]);
}

/** Reads ML-100K's u.item, u.genre, u.user and a ratings file (default u.data) from `dir`. */
export function readMl100k(dir: string, ratingsFile = 'u.data'): RawInteractions {
  const genreFile = path.join(dir, 'u.genre');
  const genreNames: string[] = [];
  const nGenres = forEachLine(genreFile, 'latin1', (line, n) => {
    const [name, idx] = splitFields(line, '|', 2, genreFile, n) as [string, string];
    genreNames[intField(idx, 'genre index', genreFile, n)] = name;
  });
  requireRows(genreFile, nGenres, 'genres');
  const itemFile = path.join(dir, 'u.item');
  const items = new Map<number, ItemInfo>();
  forEachLine(itemFile, 'latin1', (line, n) => {
    const f = splitFields(line, '|', 5 + genreNames.length, itemFile, n);
    const title = f[1]!;
    const genres = genreNames.filter((_, g) => f[5 + g] === '1');
    items.set(uniqueId(items, intField(f[0]!, 'movie id', itemFile, n), 'movie id', itemFile, n), { title, genres, year: yearFromTitle(title) });
  });
  requireRows(itemFile, items.size, 'movies');
  const userFile = path.join(dir, 'u.user');
  const users = new Map<number, UserInfo>();
  forEachLine(userFile, 'latin1', (line, n) => {
    const [id, age, gender, occ] = splitFields(line, '|', 5, userFile, n) as [string, string, string, string];
    users.set(uniqueId(users, intField(id, 'user id', userFile, n), 'user id', userFile, n), { gender, age: intField(age, 'age', userFile, n), occupation: occ });
  });
  requireRows(userFile, users.size, 'users');
  const rFile = path.resolve(dir, ratingsFile);
  const cols = new RawColumns();
  forEachLine(rFile, 'latin1', (line, n) => {
    const [u, i, r, t] = splitFields(line, '\t', 4, rFile, n) as [string, string, string, string];
    cols.push(intField(u, 'user id', rFile, n), intField(i, 'item id', rFile, n),
      checkRating(intField(r, 'rating', rFile, n), rFile, n), checkSeconds(intField(t, 'timestamp', rFile, n), rFile, n));
  });
  requireRows(rFile, cols.user.length, 'ratings');
  checkTimestampUnit(cols, rFile);
  return cols.finish('ml-100k', items, users, [genreFile, itemFile, userFile, rFile]);
}
