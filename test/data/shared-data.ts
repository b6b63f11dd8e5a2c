// Where the tests find the real data (../shared/data or $CFLLM_DATA_DIR) and a readable reason when it is absent.
import * as fs from 'fs';
import * as path from 'path';

const root = process.env['CFLLM_DATA_DIR'] ? path.resolve(process.env['CFLLM_DATA_DIR']) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

/** The path of a real-data file or folder, and whether it is there. */
export function sharedData(rel: string): { path: string; present: boolean; missing: string } {
  const p = path.join(root, rel);
  const present = fs.existsSync(p);
  return { path: p, present, missing: present ? '' : ` [SKIPPED: ${p} is missing; set CFLLM_DATA_DIR to a folder holding ${rel}]` };
}
