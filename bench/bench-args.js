// Flags of the bench scripts: node's strict parseArgs, plus --help / -h, which prints the script's header
// comment (what it measures, its usage line) and exits before any work is done or any file is written.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');

/** The leading comment block of a script, without the comment markers. */
function headerOf(file) {
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (line.startsWith('//')) out.push(line.replace(/^\/\/ ?/, ''));
    else if (out.length > 0) break;
  }
  return out.join('\n');
}

/** parseArgs({ options, strict }) over process.argv, or the header on --help; an unknown flag exits 2 naming it. */
function benchArgs(file, options) {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(headerOf(file) + '\n');
    process.exit(0);
  }
  try {
    return parseArgs({ options, args: argv });
  } catch (e) {
    process.stderr.write(`${path.basename(file)}: ${e.message} (--help shows the usage)\n`);
    process.exit(2);
  }
}

module.exports = { benchArgs, headerOf };
