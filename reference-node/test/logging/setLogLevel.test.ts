/** SIGHUP's log-level reload (node.md#configuration) reaches the component loggers made before it. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, setLogLevel } from '../../src/logging/index.js';

describe('setLogLevel', () => {
  it('changes the level of the root and of every logger derived from it, children of children included', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const root = createLogger({ level: 'info', destination });
    const api = componentLogger(root, 'api');
    const deeper = api.child({ route: '/v1/members' });
    api.debug('hidden');
    expect(lines).toHaveLength(0);
    setLogLevel(root, 'debug');
    api.debug('shown');
    deeper.debug('shown too');
    root.debug('root too');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown', 'shown too', 'root too']);
    setLogLevel(root, 'warn');
    api.info('hidden again');
    expect(lines).toHaveLength(3);
  });
});
