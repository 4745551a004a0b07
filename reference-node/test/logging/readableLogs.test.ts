/**
 * Logs a person reads on a terminal, JSON for everything else (issue 11 item 5): the same pino
 * logger, with redaction and levels, renders each line for reading when stdout is a terminal.
 */
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, formatLine } from '../../src/logging/index.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

describe('logs', () => {
  it('on a terminal: time, level, component, message, then key=value, secrets still redacted', () => {
    const out = capture();
    const log = componentLogger(createLogger({ destination: out.destination, isTTY: true }), 'api');
    log.info({ type: 'RecoveryEvent', seq: 4, token: 'hunter2', note: 'two words' }, 'published');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} INFO {2}api {2}published type=RecoveryEvent seq=4 token=\[redacted\] note="two words"\n$/,
    );
  });

  it('elsewhere: one JSON object per line', () => {
    const out = capture();
    createLogger({ destination: out.destination }).warn({ code: 'X_Y' }, 'hello');
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ level: 'warn', msg: 'hello', code: 'X_Y' });
    const piped = capture();
    createLogger({ destination: piped.destination, isTTY: false }).info('x');
    expect(JSON.parse(piped.lines[0]!)).toMatchObject({ level: 'info', msg: 'x' });
  });

  it('formatLine passes a line that is not JSON through', () => {
    expect(formatLine('not json\n')).toBe('not json\n');
  });
});
