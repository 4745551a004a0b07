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

/** Logs the effective config once at start (info): redacted values and the layer each came from. */
export function logEffectiveConfig(logger: Logger, result: Extract<LoadConfigResult, { ok: true }>): void {
  logger.info(
    { config: redactConfig(result.config), sources: result.sources, file: result.file ?? null },
    'effective config',
  );
}
