/**
 * The node's configuration: one JSON file validated by the `NodeConfig` schema of @sfr/schemas.
 * Precedence: flag > env (`SFR_*`) > file > default (the schema's `default`s, then `defaults`).
 *
 *   const r = await loadConfig({ file: 'node.json', flags: { 'http.port': '8080' } });
 *   if (!r.ok) { console.error(r.error.message); process.exit(1) }      // CONFIG_* with field + expected
 *   logEffectiveConfig(logger, r);                                      // redacted, with each value's source
 *
 * Env names: `envNameOf('http.port')` = `SFR_HTTP__PORT` (`__` between levels, `_` between words of
 * a camelCase key); `SFR_CONFIG` names the file. An `SFR_*` variable that names no setting is an
 * error (CONFIG_UNKNOWN_SETTING), so a typo never passes silently. Env and flag strings are typed by
 * the schema (integer, boolean, array as JSON or comma list, object as JSON).
 */
import type { Logger } from 'pino';
import type { LoadConfigResult } from './loadConfig.js';
import { redactConfig } from './redactConfig.js';

export { CONFIG_CODES, type ConfigCode, ConfigError, type ConfigSource } from './configError.js';
export {
  type ChainRpcEntry,
  type ContractMembersConfig,
  chainRpcUrl,
  contractMembersFromConfig,
  multisigSignerFromConfig,
} from './contractMembers.js';
export {
  type ConfigObject,
  ENV_CONFIG_FILE,
  ENV_PREFIX,
  envNameOf,
  type LoadConfigParameters,
  type LoadConfigResult,
  loadConfig,
  MAX_CONFIG_BYTES,
  NODE_CONFIG_KIND,
  schemaDefaults,
  settingPathOfEnv,
} from './loadConfig.js';
export { REDACTED, redactConfig, redactUrl } from './redactConfig.js';

/**
 * Settings the schema still accepts that the reference node does not apply, with why (deprecated in
 * NodeConfig.schema.json; removed at the next breaking draft). Logged as a warning when set, never
 * as effective.
 */
export const NOT_APPLIED_SETTINGS: Readonly<Record<string, string>> = {
  'limits.syncBatch':
    'the range-response page is fixed at 256 messages by p2p.md#sync (both sides rely on it)',
  'limits.seenCacheSize': 'the seen cache is bounded by time (p2p.md §6 seen TTL), not by a count',
};

/**
 * Logs the effective config once at start (info): redacted values and the layer each came from; a
 * set setting the node does not apply is left out of it and warned about.
 */
export function logEffectiveConfig(logger: Logger, result: Extract<LoadConfigResult, { ok: true }>): void {
  const config = structuredClone(redactConfig(result.config)) as Record<string, unknown>;
  for (const [setting, why] of Object.entries(NOT_APPLIED_SETTINGS)) {
    const [group, key] = setting.split('.') as [string, string];
    const holder = config[group] as Record<string, unknown> | undefined;
    if (holder === undefined || !(key in holder)) continue;
    delete holder[key];
    logger.warn({ setting }, `${setting} is not applied and is ignored: ${why}`);
  }
  logger.info({ config, sources: result.sources, file: result.file ?? null }, 'effective config');
}
