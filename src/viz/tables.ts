// Plain records -> tables in a notebook: rounding for display, and an HTML table (one row per record, a
// column per key, numbers right-aligned) that Jupyter and GitHub render without wrapping wide rows.
// Reference: docs/environment.md §4 (rich output in tslab).
import { notebookSink, type DisplaySink } from './display';

/** Copies `rows` with every non-integer number rounded to `digits` decimals (default 3). */
export function roundRecords<R extends object>(rows: readonly R[], digits = 3): R[] {
  const f = 10 ** digits;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) =>
    [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * f) / f : v])) as R);
}

/** Options of tableHtml / showTable. */
export interface TableOptions {
  /** Round non-integer numbers to this many decimals (default: as given). */
  readonly digits?: number;
  /** A caption above the table; default none. */
  readonly caption?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.map(cellText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** An HTML <table> of `rows`: the union of their keys as columns (first-seen order), a row index, numeric columns right-aligned. */
export function tableHtml(rows: readonly object[], opts: TableOptions = {}): string {
  const recs = (opts.digits === undefined ? rows : roundRecords(rows, opts.digits)) as readonly Readonly<Record<string, unknown>>[];
  const names = [...new Set(recs.flatMap((r) => Object.keys(r)))];
  const numeric = new Set(names.filter((n) => recs.every((r) => typeof r[n] === 'number' || r[n] === null || r[n] === undefined) && recs.some((r) => typeof r[n] === 'number')));
  const td = (tag: 'td' | 'th', text: string, right: boolean) => `<${tag} style="text-align:${right ? 'right' : 'left'};white-space:nowrap">${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${td('th', '', true)}${names.map((n) => td('th', n, numeric.has(n))).join('')}</tr>`;
  const body = recs.map((r, i) => `<tr>${td('th', String(i), true)}${names.map((n) => td('td', cellText(r[n]), numeric.has(n))).join('')}</tr>`).join('\n');
  const caption = opts.caption ? `<caption style="text-align:left">${escapeHtml(opts.caption)}</caption>` : '';
  return `<table class="cfllm-table" style="font-variant-numeric:tabular-nums">${caption}\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Shows `rows` as an HTML table in a tslab notebook (`sink` replaces tslab's display in tests); an empty list shows "(no rows)". */
export function showTable(rows: readonly object[], opts: TableOptions & { readonly sink?: DisplaySink } = {}): void {
  const sink = opts.sink ?? notebookSink();
  if (rows.length === 0) sink.text(`${opts.caption ? `${opts.caption}: ` : ''}(no rows)`);
  else sink.html(tableHtml(rows, opts));
}
