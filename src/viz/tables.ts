// Plain records -> compact text tables: rounding for display, and a danfojs print config whose column
// widths fit the content (danfojs pads every column to 17 characters otherwise).
// Reference: danfojs-node DataFrame.print / the `table` package's options.

/** Copies `rows` with every non-integer number rounded to `digits` decimals (default 3). */
export function roundRecords<R extends object>(rows: readonly R[], digits = 3): R[] {
  const f = 10 ** digits;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) =>
    [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * f) / f : v])) as R);
}

/** danfojs `config` option for `new DataFrame(rows, { config })`: all rows and columns, widths from content, numbers right-aligned. */
export function danfoTableConfig(rows: readonly object[]): Record<string, unknown> {
  const cells = rows.map((r) => r as Readonly<Record<string, unknown>>);
  const names = [...new Set(cells.flatMap((r) => Object.keys(r)))];
  const columns: Record<number, { width: number; alignment: 'left' | 'right' }> = { 0: { width: Math.max(1, String(Math.max(0, rows.length - 1)).length), alignment: 'right' } };
  names.forEach((name, j) => {
    const values = cells.map((r) => r[name]);
    const width = Math.min(32, Math.max(name.length, ...values.map((v) => String(v ?? '').length)));
    columns[j + 1] = { width, alignment: values.every((v) => typeof v === 'number') ? 'right' : 'left' };
  });
  return {
    tableMaxRow: rows.length + 1,
    tableMaxColInConsole: names.length + 1,
    tableDisplayConfig: { columns, drawHorizontalLine: (line: number, count: number) => line <= 1 || line === count },
  };
}
