// Every field of every exported `*Config` / `*Options` interface in src/ carries a /** */ doc (its unit,
// its default, or that it is required), as docs/architecture.md §3 asks.
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

/** `file Interface.field` for every undocumented field of the exported config/options interfaces of a file. */
function undocumented(file: string): { fields: number; missing: string[] } {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  let fields = 0;
  sf.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || !/(Config|Options)$/.test(node.name.text)) return;
    if (!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return;
    for (const m of node.members) {
      fields++;
      if (ts.getJSDocCommentsAndTags(m).length === 0) missing.push(`${path.relative(SRC, file)} ${node.name.text}.${m.name?.getText(sf) ?? '?'}`);
    }
  });
  return { fields, missing };
}

describe('config documentation', () => {
  it('documents every field of every exported *Config / *Options interface', () => {
    const results = tsFiles(SRC).map(undocumented);
    expect(results.reduce((a, r) => a + r.fields, 0)).toBeGreaterThan(100);
    expect(results.flatMap((r) => r.missing)).toEqual([]);
  });
});
