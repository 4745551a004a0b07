import { truncate } from '../runner/compareResult.js';
import type { CaseResult, ConformanceReport, LevelSummary } from '../runner/runConformance.js';

/** Longest JSON excerpt of an input, expected or actual value in the Markdown report. */
const excerptChars = 400;

const statusText: Record<LevelSummary['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  incomplete: 'INCOMPLETE (unsupported ops)',
  'not-available': 'NOT AVAILABLE',
  'not-requested': 'not requested',
  'not-run': 'NOT RUN',
};

/**
 * Renders the report as Markdown an implementer can paste into a pull request: the run's
 * parameters, totals per level, every failed case (description, spec section, input, expected,
 * actual, reason), then the unsupported ops.
 */
export function renderMarkdown(report: ConformanceReport): string {
  const lines: string[] = [];
  const failed = report.cases.filter((c) => c.outcome === 'failed');
  const unsupported = report.cases.filter((c) => c.outcome === 'unsupported');
  lines.push(`# SFR conformance report (${report.specVersion})`, '');
  lines.push(`- implementation: \`${report.implementation}\``);
  lines.push(
    `- runner: ${report.tool.name} ${report.tool.version}, ${report.environment.node}, ${report.environment.platform}`,
  );
  lines.push(`- vectors: \`${report.vectorsRoot}\``);
  lines.push(
    `- started ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s, timeout ${report.timeoutMs} ms per request, ${report.spawns} process start(s)`,
  );
  if (report.filter !== undefined)
    lines.push(`- filter: \`${report.filter}\` (a partial run: it cannot support a claim)`);
  lines.push('', '| level | passed | failed | unsupported | status |', '| --- | ---: | ---: | ---: | --- |');
  for (const l of report.levels) {
    const counted = l.status !== 'not-available' && l.status !== 'not-requested';
    const n = (v: number) => (counted ? String(v) : '–');
    const note = l.note === undefined ? '' : `: ${l.note}`;
    lines.push(
      `| ${l.level} | ${n(l.passed)} | ${n(l.failed)} | ${n(l.unsupported)} | ${statusText[l.status]}${note} |`,
    );
  }
  const total = report.cases.length;
  lines.push(
    '',
    `**${total - failed.length - unsupported.length} passed, ${failed.length} failed, ${unsupported.length} unsupported** of ${total} cases run.`,
  );
  if (report.warnings.length > 0) {
    lines.push('', '## Warnings', '');
    for (const w of report.warnings) lines.push(`- ${w}`);
  }
  if (failed.length > 0) {
    lines.push('', `## Failed cases (${failed.length})`);
    for (const c of failed) lines.push('', ...renderFailedCase(c));
  }
  if (unsupported.length > 0) {
    lines.push('', `## Unsupported (${unsupported.length} cases)`, '');
    const byOp = new Map<string, number>();
    for (const c of unsupported)
      byOp.set(`${c.level}: ${c.handler}`, (byOp.get(`${c.level}: ${c.handler}`) ?? 0) + 1);
    for (const [op, count] of byOp) lines.push(`- ${op} — ${count} case(s) answered HARNESS_UNSUPPORTED_OP`);
  }
  return `${lines.join('\n')}\n`;
}

function renderFailedCase(c: CaseResult): string[] {
  const lines = [
    `### ${c.file}: ${c.description}`,
    '',
    `- section: \`spec/v1/${c.section}\``,
    `- reason: ${c.code}: ${c.reason ?? ''}`,
    `- input: \`${excerpt(c.input)}\``,
    `- expected: \`${excerpt(c.expected)}\``,
  ];
  lines.push(`- actual: ${c.actual === undefined ? '(no answer)' : `\`${excerpt(c.actual)}\``}`);
  return lines;
}

function excerpt(value: unknown): string {
  return truncate(JSON.stringify(value) ?? 'undefined', excerptChars).replaceAll('`', "'");
}

/** The report as JSON (every case, passed ones included), for tools. */
export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
