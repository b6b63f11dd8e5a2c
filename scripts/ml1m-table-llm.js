// Makes the ML-1M table's LLM: models/kit-lm adapted to collm-ml1m's items by `adapt-lm` in four phases,
// each a new folder under checkpoints/models (derived from licensed metadata: never committed). A phase
// whose folder exists is skipped, so the command resumes after a stop; extra arguments (e.g. --data-dir,
// --max-minutes, --backend) go to every phase. About 3 h on one core of a 2-core CPU.
// Reference: docs/methods.md §4 (kit scale); results/item-knowledge.json holds each phase's probes.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const { ML1M_TABLE } = require(path.join(root, 'dist', 'runner', 'ml1m-plan.js'));
const dir = (n) => path.join('checkpoints', 'models', `kit-lm-collm-ml1m-p${n}`);
// item sentences + replay, then the phases with item questions; flags as recorded in each card's config
const late = ['--steps', '1500', '--itemShare', '0.3', '--itemQuestionBatch', '16', '--skill-examples', '0'];
const PHASES = [
  { out: dir(1), args: ['--preset', 'skill-questions'], what: 'skill questions only (genres written in)' },
  { out: dir(2), args: ['--preset', 'mixed', '--model', dir(1)], what: 'item text + replay + skill questions' },
  { out: dir(3), args: ['--preset', 'mixed', '--model', dir(2), ...late], what: 'plus item questions (genre, decade)' },
  { out: dir(4), args: ['--preset', 'mixed', '--model', dir(3), ...late], what: 'the same again' },
];

function main() {
  const extra = process.argv.slice(2);
  if (extra.includes('--help')) {
    process.stdout.write(`ml1m-table-llm: makes ${ML1M_TABLE.llmDir}, the ML-1M table's LLM, in four adapt-lm phases:\n`);
    for (const [i, p] of PHASES.entries()) process.stdout.write(`  ${i + 1}. ${p.what}: npm run adapt-lm -- --dataset collm-ml1m ${p.args.join(' ')} --out ${p.out}\n`);
    process.stdout.write('Extra arguments go to every phase (e.g. --data-dir, --max-minutes, --backend); a finished phase is skipped.\n');
    return 0;
  }
  const clash = extra.find((a) => ['--dataset', '--model', '--out', '--work', '--preset', '--steps'].includes(a.split('=')[0]));
  if (clash) throw new Error(`ml1m-table-llm: ${clash} is set by the phases; pass only --data-dir, --corpus, --max-minutes, --backend and the like`);
  if (PHASES[PHASES.length - 1].out !== ML1M_TABLE.llmDir) throw new Error(`ml1m-table-llm: the last phase writes ${PHASES[PHASES.length - 1].out}, but the table reads ${ML1M_TABLE.llmDir}`);
  for (const [i, p] of PHASES.entries()) {
    const done = () => fs.existsSync(path.join(root, p.out, 'config.json'));
    if (done()) {
      process.stdout.write(`phase ${i + 1}/${PHASES.length}: ${p.out} exists, skipped\n`);
      continue;
    }
    process.stdout.write(`phase ${i + 1}/${PHASES.length} (${p.what}) -> ${p.out}\n`);
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'adapt-lm.js'), '--dataset', 'collm-ml1m', ...p.args, '--out', p.out, ...extra], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) return r.status ?? 1;
    if (!done()) {
      process.stdout.write(`phase ${i + 1} stopped before its end; run the same command again to continue\n`);
      return 0;
    }
  }
  process.stdout.write(`the table's LLM is ready: ${ML1M_TABLE.llmDir}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
}
