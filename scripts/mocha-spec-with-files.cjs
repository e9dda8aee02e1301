/**
 * Mocha's spec reporter, ending with the test file of each failure. In a parallel run the
 * failures of many files are listed together, and a failure's stack does not always name its
 * file (a hook in a support module, an error outside any test). CommonJS: Mocha requires reporters.
 */
'use strict';
const { relative } = require('node:path');
const { reporters, Runner } = require('mocha');

class SpecWithFiles extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    /** Per file, the full titles of its failures, in the order they came. */
    this.failedFiles = new Map();
    runner.on(Runner.constants.EVENT_TEST_FAIL, (test) => {
      const file = test.file ? relative(process.cwd(), test.file) : '(no file: an error outside any test, or a worker that ended)';
      const titles = this.failedFiles.get(file) ?? [];
      titles.push(test.fullTitle());
      this.failedFiles.set(file, titles);
    });
  }

  epilogue() {
    super.epilogue();
    if (this.failedFiles.size === 0) return;
    reporters.Base.consoleLog('  Failures by file:');
    for (const [file, titles] of this.failedFiles) {
      reporters.Base.consoleLog(`    ${file}`);
      for (const title of titles) reporters.Base.consoleLog(`      ${title}`);
    }
    reporters.Base.consoleLog();
  }
}

module.exports = SpecWithFiles;
