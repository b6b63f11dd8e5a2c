// Command: regenerate the README's result tables from results/*.json without rerunning anything.
// Reference: src/runner/readme.ts.
import { projectRoot } from '../core/paths';
import { updateReadmeTables } from '../runner/readme';
import { runMain } from './args';

runMain(async () => {
  const written = updateReadmeTables(projectRoot());
  process.stdout.write(written.length ? `updated README sections: ${written.join(', ')}\n` : 'no results files found; README unchanged\n');
});
