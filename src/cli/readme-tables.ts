// Command: regenerate the README's result tables from results/*.json without rerunning anything.
// Reference: src/analysis/readme.ts.
import { projectRoot } from '../core/paths';
import { updateReadmeTables } from '../analysis/readme';
import { runMain } from './args';

runMain(async () => {
  const written = updateReadmeTables(projectRoot());
  process.stdout.write(written.length ? `updated README sections: ${written.join(', ')}\n` : 'no results files found; README unchanged\n');
});
