import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { HarnessCode, type HarnessCodeValue } from '../errors.js';
import { truncate } from '../runner/compareResult.js';
import { isRecord } from '../vectors/loadVectors.js';

/** One answer to one request, as the runner sees it. */
export type HarnessResponse =
  /** `{"id", "result": {...}}` */
  | { kind: 'result'; result: Record<string, unknown> }
  /** `{"id", "error": {"code", "message"}}`, including HARNESS_UNSUPPORTED_OP */
  | { kind: 'error'; code: string; message: string }
  /** No valid answer: timeout, crash, garbage, or the command could not be started. */
  | { kind: 'failure'; code: HarnessCodeValue; reason: string; beforeFirstAnswer: boolean };

export type HarnessProcessParameters = {
  /** argv of the implementation's harness command. */
  argv: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
};

/** Longest response line accepted (16 MiB); a longer one is garbage. */
const maxLineChars = 16 * 1024 * 1024;
/** stderr kept for failure reports (the tail, 2 KiB). */
const stderrTailChars = 2048;
/** How long a harness may take to exit after its stdin closes. */
const closeGraceMs = 500;
/** How long to wait after SIGTERM before SIGKILL. */
const killWaitMs = 2000;

/** Every implementation process alive in this runner process, for {@link killAllHarnessProcesses}. */
const live = new Set<ChildProcessWithoutNullStreams>();

/**
 * Kills every implementation process group still alive, synchronously: for the CLI's `exit`
 * handler, since the groups are detached and a Ctrl-C at the terminal does not reach them.
 */
export function killAllHarnessProcesses(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
  live.clear();
}

type Pending = {
  id: number;
  resolve: (response: HarnessResponse) => void;
  timer: NodeJS.Timeout;
};

/**
 * Drives one implementation through the JSON-lines harness protocol
 * (spec/v1/conformance.md#harness-protocol): one request at a time, a timeout per request, and a
 * fresh process after any crash, hang or garbage, so one bad case never poisons the next.
 * The process runs in its own process group; killing it kills the whole group (e.g. `cargo run`
 * and the binary it starts).
 */
export class HarnessProcess {
  readonly #argv: readonly string[];
  readonly #cwd: string | undefined;
  readonly #env: NodeJS.ProcessEnv | undefined;
  #child: ChildProcessWithoutNullStreams | undefined;
  #exited: Promise<void> | undefined;
  #buffer = '';
  #stderr = '';
  #pending: Pending | undefined;
  #nextId = 1;
  #answeredSinceSpawn = false;
  #dying: Promise<void> | undefined;
  /** Number of processes started so far. */
  spawns = 0;
  /** Protocol violations not attributable to a case (a line printed while no request was pending). */
  readonly warnings: string[] = [];

  constructor({ argv, cwd, env }: HarnessProcessParameters) {
    this.#argv = argv;
    this.#cwd = cwd;
    this.#env = env;
  }

  /** Sends `{id, op, ...args}` and waits for its one response line, at most `timeoutMs`. */
  async request(op: string, args: Record<string, unknown>, timeoutMs: number): Promise<HarnessResponse> {
    if (this.#pending !== undefined) throw new Error('HarnessProcess: one request at a time');
    // A process killed after the previous request is gone before the next one starts.
    await this.#dying;
    const previous = this.#child;
    if (previous !== undefined && (previous.exitCode !== null || previous.signalCode !== null)) {
      // It exited between requests (its 'close' is still pending): wait for it, then start afresh.
      await this.#exited;
    }
    const child = this.#ensureStarted();
    const id = this.#nextId++;
    const line = `${JSON.stringify({ ...args, id, op })}\n`;
    return new Promise<HarnessResponse>((resolve) => {
      const timer = setTimeout(() => {
        this.#fail(
          HarnessCode.timeout,
          `no response within ${timeoutMs} ms; the implementation was restarted`,
        );
      }, timeoutMs);
      this.#pending = { id, resolve, timer };
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        // The 'exit' / 'error' handler already ran or will run and resolve this request.
        return;
      }
      child.stdin.write(line);
    });
  }

  /**
   * Stops the implementation: closes its stdin (a harness exits when stdin ends), then SIGTERM to
   * its group after `closeGraceMs`, then SIGKILL; resolves once it has exited.
   */
  async close(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    // Detached from this object first, so its exit is not reported as a fault.
    this.#child = undefined;
    if (child !== undefined && exited !== undefined) {
      child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), closeGraceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        signalGroup(child, 'SIGTERM');
        timer = setTimeout(() => signalGroup(child, 'SIGKILL'), killWaitMs);
        await exited;
        clearTimeout(timer);
      }
    }
    await this.#dying;
  }

  #ensureStarted(): ChildProcessWithoutNullStreams {
    if (this.#child !== undefined) return this.#child;
    const [command, ...args] = this.#argv;
    const child = spawn(command ?? '', args, {
      cwd: this.#cwd,
      env: this.#env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.spawns++;
    this.#child = child;
    live.add(child);
    this.#buffer = '';
    this.#stderr = '';
    this.#answeredSinceSpawn = false;
    this.#exited = new Promise<void>((resolve) => {
      const done = () => {
        live.delete(child);
        resolve();
      };
      child.once('close', done);
      child.once('error', done);
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (this.#child === child) this.#onStdout(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      if (this.#child === child) this.#stderr = (this.#stderr + chunk).slice(-stderrTailChars);
    });
    // EPIPE when the implementation has exited: the 'exit' handler reports it.
    child.stdin.on('error', () => {});
    child.once('error', (error) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#settle({
        kind: 'failure',
        code: HarnessCode.spawnFailed,
        reason: `cannot start ${JSON.stringify(this.#argv.join(' '))}: ${error.message}`,
        beforeFirstAnswer: true,
      });
    });
    // 'close', not 'exit': a response written just before exiting is read before the exit is reported.
    child.once('close', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      if (this.#pending === undefined) {
        if (this.warnings.length < 20) {
          this.warnings.push(`the implementation exited between requests (${how}); it was restarted`);
        }
        return;
      }
      const stderr = this.#stderr.trim();
      this.#settle({
        kind: 'failure',
        code: HarnessCode.crashed,
        reason: `the implementation exited (${how}) while handling the request${stderr === '' ? '' : `; stderr ends with: ${truncate(stderr.split('\n').slice(-3).join(' | '), 300)}`}`,
        beforeFirstAnswer: !this.#answeredSinceSpawn,
      });
    });
    return child;
  }

  #onStdout(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0 && this.#child !== undefined) {
      const line = this.#buffer.slice(0, newline).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line.trim() !== '') this.#onLine(line);
      newline = this.#buffer.indexOf('\n');
    }
    if (this.#buffer.length > maxLineChars) {
      this.#fail(HarnessCode.badResponse, `response line longer than ${maxLineChars} characters`);
    }
  }

  #onLine(line: string): void {
    const pending = this.#pending;
    if (pending === undefined) {
      if (this.warnings.length < 20) {
        this.warnings.push(`line printed while no request was pending: ${truncate(line, 120)}`);
      }
      void this.#kill('SIGKILL');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#fail(HarnessCode.badResponse, `response is not JSON: ${truncate(JSON.stringify(line), 160)}`);
      return;
    }
    if (!isRecord(message)) {
      this.#fail(HarnessCode.badResponse, `response is not a JSON object: ${truncate(line, 160)}`);
      return;
    }
    if (message['id'] !== pending.id) {
      this.#fail(
        HarnessCode.badResponse,
        `response id ${truncate(JSON.stringify(message['id']) ?? 'missing', 40)} does not match request id ${pending.id}`,
      );
      return;
    }
    const hasResult = Object.hasOwn(message, 'result');
    const hasError = Object.hasOwn(message, 'error');
    if (hasResult === hasError) {
      this.#fail(HarnessCode.badResponse, 'response must have exactly one of `result` and `error`');
      return;
    }
    if (hasError) {
      const error = message['error'];
      if (!isRecord(error) || typeof error['code'] !== 'string') {
        this.#fail(HarnessCode.badResponse, '`error` must be an object with a string `code`');
        return;
      }
      this.#answeredSinceSpawn = true;
      const text = typeof error['message'] === 'string' ? error['message'] : '';
      this.#settle({ kind: 'error', code: error['code'], message: text });
      return;
    }
    const result = message['result'];
    if (!isRecord(result)) {
      this.#fail(HarnessCode.badResponse, '`result` must be a JSON object');
      return;
    }
    this.#answeredSinceSpawn = true;
    this.#settle({ kind: 'result', result });
  }

  /** Fails the pending request and kills the process, so the next request gets a fresh one. */
  #fail(code: HarnessCodeValue, reason: string): void {
    const beforeFirstAnswer = !this.#answeredSinceSpawn;
    void this.#kill('SIGKILL');
    this.#settle({ kind: 'failure', code, reason, beforeFirstAnswer });
  }

  #settle(response: HarnessResponse): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  #kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    this.#child = undefined;
    if (child === undefined || exited === undefined) return this.#dying ?? Promise.resolve();
    signalGroup(child, signal);
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), killWaitMs);
    this.#dying = exited.then(() => clearTimeout(timer));
    return this.#dying;
  }
}

function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole process group the detached child leads.
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
