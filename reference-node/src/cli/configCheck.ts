/**
 * `sfr config check`: loads a node config as `sfr node start` does (flag > env > file > default,
 * schema), then runs every check the start runs before it joins the network, and reports each
 * problem with its reason code and setting instead of stopping at the first.
 */
import type { NodeConfig } from '@sfr/schemas';
import { loadConfig } from '../config/index.js';
import { type ConfigProblem, checkNodeConfig } from './checkNodeConfig.js';
import type { NodeStartParameters } from './nodeStart.js';

export interface ConfigCheckResult {
  readonly file: string | undefined;
  readonly problems: readonly ConfigProblem[];
}

export async function checkConfigFile(p: NodeStartParameters): Promise<ConfigCheckResult> {
  const loaded = await loadConfig({
    ...(p.config === undefined ? {} : { file: p.config }),
    ...(p.flags === undefined ? {} : { flags: p.flags }),
    ...(p.flagNames === undefined ? {} : { flagNames: p.flagNames }),
    ...(p.env === undefined ? {} : { env: p.env }),
  });
  if (!loaded.ok) {
    const e = loaded.error;
    const detail = [
      e.expected === undefined ? undefined : `expected ${e.expected}`,
      e.origin === undefined ? undefined : `from ${e.origin}`,
    ].filter((x) => x !== undefined);
    const short = e.message.split('\n')[0]!.replace(/^[A-Z_]+: /, '');
    return {
      file: p.config,
      problems: [
        {
          code: e.code,
          field: e.field === '' ? '/' : e.field,
          message: detail.length === 0 ? short : `${short} (${detail.join('; ')})`,
        },
      ],
    };
  }
  const problems = await checkNodeConfig({
    config: loaded.config as unknown as NodeConfig,
    baseDir: loaded.baseDir,
    openStore: true,
    readChains: true,
  });
  return { file: loaded.file, problems };
}

/** One line per problem: `CODE field: message`. */
export function formatConfigCheck(r: ConfigCheckResult): string {
  if (r.problems.length === 0) return `config ok: ${r.file ?? '(no file)'}\n`;
  return r.problems.map((x) => `${x.code} ${x.field}: ${x.message}\n`).join('');
}
