/**
 * Length-prefixed framing for the sync protocols (spec/v1/p2p.md#sync-framing): every frame is an
 * unsigned-varint length followed by that many bytes; response frames start with a kind byte.
 */
import type { Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { SyncError } from './syncCodes.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Writes one frame, waiting for the stream to drain when its buffer is full. */
export async function writeFrame(stream: Stream, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  const ok = stream.send(lp.encode.single(body));
  if (!ok) await stream.onDrain(signal === undefined ? {} : { signal });
}

export async function writeKindFrame(
  stream: Stream,
  kind: number,
  body: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  const out = new Uint8Array(body.length + 1);
  out[0] = kind;
  out.set(body, 1);
  await writeFrame(stream, out, signal);
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new SyncError('SYNC_BAD_REQUEST', 'frame is not UTF-8 JSON', { cause: err });
  }
}

/** Reads frames of at most `maxBytes` each; a larger frame is `SYNC_FRAME_TOO_LARGE`. */
export async function* readFrames(stream: Stream, maxBytes: number): AsyncGenerator<Uint8Array> {
  try {
    for await (const frame of lp.decode(stream, { maxDataLength: maxBytes })) {
      yield frame.subarray();
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    const name = (err as { name?: string }).name ?? '';
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
      throw new SyncError('SYNC_FRAME_TOO_LARGE', `frame larger than ${maxBytes} bytes`, { cause: err });
    }
    throw err;
  }
}

/** Reads exactly one frame (the request). */
export async function readOneFrame(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  for await (const frame of readFrames(stream, maxBytes)) return frame;
  throw new SyncError('SYNC_BAD_REQUEST', 'stream ended before the request frame');
}
