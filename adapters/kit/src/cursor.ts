import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AdapterError } from './errors.js';
import type { Hex } from './types.js';

/**
 * Where an adapter has got to. `nextBlock` is the first block not yet scanned; `recent` holds the
 * hash of the last block of each of the latest scans (newest last) so that a reorg can be found
 * and rewound; `state` is adapter-owned data for edge-triggered state checks.
 */
export interface Cursor {
  version: 1;
  protocol: string;
  chain: string;
  nextBlock: string;
  recent: { number: string; hash: Hex }[];
  state: Record<string, unknown>;
}

/** Persistence for one adapter's cursor. `save` MUST be atomic: after a crash, load returns the old or the new cursor. */
export interface CursorStore {
  load(): Promise<Cursor | undefined>;
  save(cursor: Cursor): Promise<void>;
}

export function createMemoryCursorStore(initial?: Cursor): CursorStore & { current(): Cursor | undefined } {
  let value = initial === undefined ? undefined : structuredClone(initial);
  return {
    async load() {
      return value === undefined ? undefined : structuredClone(value);
    },
    async save(cursor) {
      value = structuredClone(cursor);
    },
    current() {
      return value;
    },
  };
}

/** Checks a parsed cursor file; returns a message when it is not a cursor. */
function describeCursorProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const c = value as Record<string, unknown>;
  if (c['version'] !== 1) return 'unsupported version';
  if (typeof c['protocol'] !== 'string' || typeof c['chain'] !== 'string') return 'missing protocol/chain';
  if (typeof c['nextBlock'] !== 'string' || !/^(0|[1-9][0-9]*)$/.test(c['nextBlock'])) return 'bad nextBlock';
  if (!Array.isArray(c['recent'])) return 'bad recent';
  if (typeof c['state'] !== 'object' || c['state'] === null) return 'bad state';
  return undefined;
}

/**
 * A crash-safe file cursor: write a temp file beside the target, fsync it, rename over the
 * target, then fsync the directory, so a kill at any point leaves the old or the new cursor.
 */
export function createFileCursorStore(path: string): CursorStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new AdapterError('ADAPTER_CURSOR_CORRUPT', 'Cursor file is not JSON', {
          details: { path },
          cause,
        });
      }
      const problem = describeCursorProblem(parsed);
      if (problem !== undefined) {
        throw new AdapterError('ADAPTER_CURSOR_CORRUPT', 'Cursor file is not a cursor', {
          details: { path, problem },
        });
      }
      return parsed as Cursor;
    },
    async save(cursor) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(JSON.stringify(cursor));
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(tmp, path);
      } catch (error) {
        await unlink(tmp).catch(() => undefined);
        throw error;
      }
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    },
  };
}
