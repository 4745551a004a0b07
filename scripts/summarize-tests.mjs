// Prints vitest's JSON report as the plain `N passed, N failed[, N skipped]` line CI reads.
// Exits 1 when the report is missing or counts no test at all, so "ran nothing" never looks green.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.cache/vitest-results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: ${error.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// numFailedTestSuites counts describe blocks, so it is not added; a test file that failed
// without any failing test (it did not load, or a hook threw) counts as one failure.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
