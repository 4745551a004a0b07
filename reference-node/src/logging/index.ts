/**
 * Structured logs (STYLE.md "Operations"): pino JSON on stdout (or a given destination), readable
 * lines instead when stdout is a terminal, one child
 * logger per component (`component` field), context objects rather than interpolated strings.
 *
 * Policy, enforced here where it can be:
 * - never a secret: the paths in `REDACT_PATHS` are censored wherever they appear in a log object;
 * - never untrusted payload text at info or above: log message ids, codes, counts and lengths, and
 *   keep payload fields (summaries, names) to `debug` via `untrustedText()`, which also bounds them.
 *
 *   const root = createLogger({ level: 'info' });
 *   const log = componentLogger(root, 'api');     // {"component":"api", ...}
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields censored in every log line (pino redact paths; `*` is one level of any key). */
export const REDACT_PATHS: readonly string[] = [
  'token',
  'secret',
  'password',
  'privateKey',
  'authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  '*.*.token',
  '*.*.secret',
  '*.*.privateKey',
];

export interface CreateLoggerParameters {
  readonly level?: LogLevel;
  /** Where to write (default stdout). Tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
  /** Extra base fields, e.g. `{node: 'n1'}` when several nodes share a process. */
  readonly base?: Record<string, string | number>;
  /**
   * Whether a person reads the output (default: stdout is a terminal). Then each line is written
   * for reading (`10:20:03.120 INFO  api  published type=RecoveryEvent seq=4`); otherwise it is JSON,
   * one object per line, for log shippers.
   */
  readonly isTTY?: boolean;
}

const LEVEL_WIDTH = 5;
/** pino fields `formatLine` shows in its fixed columns rather than as key=value. */
const FIXED_FIELDS = new Set(['level', 'time', 'msg', 'component']);

/** One JSON log line as a person reads it: local time, level, component, message, then key=value. */
export function formatLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const t = typeof o['time'] === 'number' ? new Date(o['time']) : new Date();
  const time = `${t.toISOString().slice(0, 10)} ${t.toTimeString().slice(0, 8)}.${String(t.getMilliseconds()).padStart(3, '0')}`;
  const level = String(o['level'] ?? '')
    .toUpperCase()
    .padEnd(LEVEL_WIDTH);
  const component = typeof o['component'] === 'string' ? ` ${o['component']}` : '';
  const rest = Object.entries(o)
    .filter(([k]) => !FIXED_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  return `${time} ${level}${component}  ${String(o['msg'] ?? '')}${rest.length === 0 ? '' : ` ${rest.join(' ')}`}\n`;
}

/** A pino destination that writes each JSON line as `formatLine` renders it. */
function readableDestination(to: DestinationStream): DestinationStream {
  return { write: (line: string) => to.write(formatLine(line)) };
}

/** Every logger derived from a root, so that a reload can change their level together. */
const descendants = new WeakMap<Logger, Set<WeakRef<Logger>>>();

export function createLogger(parameters: CreateLoggerParameters = {}): Logger {
  const family = new Set<WeakRef<Logger>>();
  const options: LoggerOptions = {
    // pino children keep the level they were made with: remember them for `setLogLevel`.
    onChild: (child) => {
      family.add(new WeakRef(child));
    },
    level: parameters.level ?? 'info',
    base: { ...(parameters.base ?? {}) },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.epochTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const readable =
    parameters.isTTY ?? (parameters.destination === undefined && process.stdout.isTTY === true);
  const to = parameters.destination ?? pino.destination(1);
  const root = pino(options, readable ? readableDestination(to) : to);
  descendants.set(root, family);
  return root;
}

/**
 * Sets the level of a root logger made by `createLogger` and of every logger derived from it (a
 * config reload, node.md#configuration: SIGHUP changes `logging.level` without a restart).
 */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level;
  const family = descendants.get(root);
  for (const ref of family ?? []) {
    const child = ref.deref();
    if (child === undefined) family!.delete(ref);
    else child.level = level;
  }
}

/** The logger of one component (`store`, `api`, `gossip`, `sync`, `validation`, `config`, …). */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}

/** Max characters of untrusted text kept in a debug log field. */
export const MAX_UNTRUSTED_TEXT = 120;

/**
 * Wraps untrusted text (payload summaries, peer-supplied strings) for a debug-level log field:
 * bounded, JSON-escaped, and marked so a reader knows it came from outside.
 */
export function untrustedText(text: unknown): string {
  const s = typeof text === 'string' ? text : (JSON.stringify(text) ?? String(text));
  const cut = s.length > MAX_UNTRUSTED_TEXT ? `${s.slice(0, MAX_UNTRUSTED_TEXT)}…` : s;
  return `untrusted:${JSON.stringify(cut)}`;
}
