/**
 * Running one pre-authorized protective action (spec/v1/contagion.md#protective-actions): the
 * configured command (argv, no shell) gets the trigger as JSON on stdin and must print, on success,
 * one JSON object: `{"scope": RecoveryScope, "evidence": EvidenceRef[], "kind"?, "mechanism"?,
 * "summary"?}` — what it did and the on-chain proof. The node turns it into a signed RecoveryEvent.
 */
import { spawn } from 'node:child_process';
import { ContagionError } from './codes.js';

/** [NodeConfig ProtectiveActionPolicy.timeoutMs] default 10 s. */
export const DEFAULT_ACTION_TIMEOUT_MS = 10_000;
/** [sfr] At most 64 KiB of a command's stdout is read (a report is a few hundred bytes). */
export const MAX_ACTION_OUTPUT_BYTES = 65_536;
/** [taxonomy.md] The event kinds a protective action may report; default `emergency_pause`. */
export const PROTECTIVE_KINDS = ['emergency_pause', 'market_frozen', 'circuit_breaker_tripped'] as const;

export interface ActionReport {
  readonly kind: (typeof PROTECTIVE_KINDS)[number];
  readonly scope: Record<string, unknown>;
  readonly evidence: unknown[];
  readonly mechanism?: string;
  readonly summary?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a command's stdout into a report; a ContagionError `ALERT_ACTION_BAD_OUTPUT` otherwise. */
export function parseActionReport(stdout: string): ActionReport {
  let v: unknown;
  try {
    v = JSON.parse(stdout.trim());
  } catch {
    throw new ContagionError('ALERT_ACTION_BAD_OUTPUT', 'the command did not print one JSON object');
  }
  if (!isObj(v) || !isObj(v['scope']) || !Array.isArray(v['evidence']) || v['evidence'].length === 0) {
    throw new ContagionError(
      'ALERT_ACTION_BAD_OUTPUT',
      'the report needs `scope` and a non-empty `evidence`',
    );
  }
  const kind = v['kind'] ?? 'emergency_pause';
  if (!(PROTECTIVE_KINDS as readonly unknown[]).includes(kind)) {
    throw new ContagionError('ALERT_ACTION_BAD_OUTPUT', `kind must be one of ${PROTECTIVE_KINDS.join(', ')}`);
  }
  return {
    kind: kind as ActionReport['kind'],
    scope: v['scope'],
    evidence: v['evidence'],
    ...(typeof v['mechanism'] === 'string' ? { mechanism: v['mechanism'] } : {}),
    ...(typeof v['summary'] === 'string' ? { summary: v['summary'].slice(0, 280) } : {}),
  };
}

/** Runs `argv` with `input` on stdin; resolves with stdout on exit 0, else a ContagionError. */
export function runCommand(argv: readonly string[], input: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (file === undefined) {
      reject(new ContagionError('ALERT_ACTION_FAILED', 'empty command'));
      return;
    }
    let out = '';
    let bytes = 0;
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'], shell: false });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() =>
        reject(new ContagionError('ALERT_ACTION_FAILED', `command timed out after ${timeoutMs} ms`)),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_ACTION_OUTPUT_BYTES) out += chunk.toString('utf8');
    });
    child.on('error', (err) =>
      done(() =>
        reject(
          new ContagionError('ALERT_ACTION_FAILED', `command could not start: ${err.message}`, {
            cause: err,
          }),
        ),
      ),
    );
    child.on('close', (code, signal) =>
      done(() =>
        code === 0
          ? resolve(out)
          : reject(new ContagionError('ALERT_ACTION_FAILED', `command exited with ${code ?? signal}`)),
      ),
    );
    child.stdin.on('error', () => {}); // a command that does not read stdin must not crash the node
    child.stdin.end(input);
  });
}
