import { diffSchemaSets } from './diffSchemaSets.js';
import type { Change, CompatReport, SchemaSet } from './types.js';

export interface BuildReportParameters {
  readonly oldSet: SchemaSet;
  readonly newSet: SchemaSet;
  /** Labels printed for the two sets (e.g. the paths the user gave). */
  readonly oldLabel: string;
  readonly newLabel: string;
  /** The new set is declared a new MINOR of the old one: minor-admissible changes do not fail. */
  readonly minorRelease: boolean;
}

const setMajor = (set: SchemaSet): number | undefined =>
  [...set.files.values()].map((f) => f.major).find((m) => m !== undefined);

/**
 * Schemas of documents that never leave a node (its own configuration file). An older node refusing
 * a setting a newer one added is the intended `CONFIG_INVALID`, not a wire break, so changes a minor
 * may make are admitted without a new wire minor; removals and tightenings still fail, since they
 * break configuration files in use (versioning.md "Compatibility checking").
 */
export const NODE_LOCAL_SCHEMAS: ReadonlySet<string> = new Set(['NodeConfig.schema.json']);

/** True when the change fails the check: it breaks a side within one major and is not admitted. */
export function isFailing(change: Change, minorRelease: boolean): boolean {
  if (!change.sameMajor) return false;
  if (change.producers === 'breaking') return true;
  const nodeLocal = NODE_LOCAL_SCHEMAS.has(change.schema);
  // A value added to a closed enum of a node-local document (a new webhook event) is refused by an
  // older node like a new setting (CONFIG_INVALID); on the wire it would need a new major.
  if (nodeLocal && change.class === 'ENUM_WIDENED') return false;
  const admitted = minorRelease || nodeLocal;
  return change.consumers === 'breaking' && !(admitted && change.minorAdmissible);
}

/** Diffs two schema sets and summarises the verdict. */
export function buildReport(parameters: BuildReportParameters): CompatReport {
  const { oldSet, newSet, minorRelease } = parameters;
  const changes = diffSchemaSets(oldSet, newSet);
  const failing = changes.filter((c) => isFailing(c, minorRelease)).length;
  return {
    old: { dir: parameters.oldLabel, major: setMajor(oldSet), schemas: oldSet.files.size },
    new: { dir: parameters.newLabel, major: setMajor(newSet), schemas: newSet.files.size },
    minorRelease,
    changes,
    summary: {
      changes: changes.length,
      breakingForProducers: changes.filter((c) => c.producers === 'breaking').length,
      breakingForConsumers: changes.filter((c) => c.consumers === 'breaking').length,
      failing,
    },
    verdict: failing > 0 ? 'breaking' : 'compatible',
  };
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** Renders the report as a Markdown table (pasteable into a pull request). */
export function formatReport(report: CompatReport): string {
  const lines = [
    `SFR schema compatibility: ${report.old.dir} (v${report.old.major ?? '?'}, ${report.old.schemas} schemas) -> ${report.new.dir} (v${report.new.major ?? '?'}, ${report.new.schemas} schemas)${report.minorRelease ? ', declared a new MINOR' : ''}`,
    '',
  ];
  if (report.changes.length === 0) lines.push('No changes that affect validation.');
  else {
    lines.push('| change | where | instance | producers | consumers | minor-admissible | fails | detail |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const change of report.changes)
      lines.push(
        `| ${change.class} | ${cell(`${change.schema}#${change.pointer}`)} | ${cell(change.instancePath || '/')} | ${change.producers} | ${change.consumers} | ${change.minorAdmissible ? 'yes' : 'no'} | ${isFailing(change, report.minorRelease) ? 'FAIL' : change.sameMajor ? 'ok' : 'ok (new major)'} | ${cell(change.detail)} |`,
      );
  }
  const { summary } = report;
  lines.push(
    '',
    `${summary.changes} changes: ${summary.breakingForProducers} breaking for producers, ${summary.breakingForConsumers} breaking for consumers; ${summary.failing} failing -> ${report.verdict}`,
  );
  return `${lines.join('\n')}\n`;
}
