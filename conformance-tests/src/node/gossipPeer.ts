/**
 * The runner's own gossip peers (spec/v1/conformance.md#node-level): plain libp2p hosts with the
 * transport stack and gossipsub configuration spec/v1/p2p.md requires of every SFR peer — TCP,
 * Noise, Yamux, identify, gossipsub v1.1+ with StrictNoSign and message id = keccak256(data) — and
 * no SFR validation of their own, so they can send anything and observe exactly what the node
 * under test relays.
 */
import './polyfill.js';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { hexToBytes, keccak256 } from 'viem';

/** A message as the observer received it from the node. */
export type Delivery = { topic: string; messageId: string; data: Uint8Array; at: number; from: string };

/**
 * How long a runner peer remembers a message id, ms. [runner] Short on purpose: a peer must be able to
 * re-send bytes it has seen (the duplicate case), and the observer must count a second delivery of
 * the same id by the node instead of dropping it as already seen.
 */
export const peerSeenTtlMs = 500;
/** [runner] Runner peers beat 5× faster than the default 1 s, so that they join the node's mesh quickly. */
const peerHeartbeatMs = 200;

/** The gossipsub message id of p2p.md#message-encoding: keccak256 of the data. */
function gossipMessageId(data: Uint8Array): Uint8Array {
  return hexToBytes(keccak256(data));
}

function toHexString(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

type GossipInternals = GossipSub & { getMeshPeers(topic: string): string[] };

export class GossipPeer {
  readonly name: string;
  readonly #libp2p: Libp2p<{ pubsub: GossipSub }>;
  readonly deliveries: Delivery[] = [];
  #waiters = new Set<() => void>();

  private constructor(name: string, libp2p: Libp2p<{ pubsub: GossipSub }>) {
    this.name = name;
    this.#libp2p = libp2p;
    libp2p.services.pubsub.addEventListener('gossipsub:message', (event) => {
      const { msg, msgId, propagationSource } = event.detail;
      this.deliveries.push({
        topic: msg.topic,
        messageId: msgId,
        data: msg.data,
        at: Date.now(),
        from: propagationSource.toString(),
      });
      for (const wake of this.#waiters) wake();
    });
  }

  static async create(name: string): Promise<GossipPeer> {
    const libp2p = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub({
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (message) => gossipMessageId(message.data),
          msgIdToStrFn: (id) => toHexString(id),
          seenTTL: peerSeenTtlMs,
          heartbeatInterval: peerHeartbeatMs,
          emitSelf: false,
          fallbackToFloodsub: false,
          floodPublish: true,
          allowPublishToZeroTopicPeers: true,
          doPX: false,
          // Above the SFR message limit: the runner sends oversize messages on purpose.
          maxInboundDataLength: 4 * 65_536 + 65_536,
          // Loopback only: the IP-colocation penalty would keep these peers out of meshes (TOOLCHAIN.md).
          scoreParams: { IPColocationFactorWeight: 0 },
        }),
      },
    });
    const peer = new GossipPeer(name, libp2p as unknown as Libp2p<{ pubsub: GossipSub }>);
    return peer;
  }

  get peerId(): string {
    return this.#libp2p.peerId.toString();
  }

  subscribe(topics: readonly string[]): void {
    for (const t of topics) this.#libp2p.services.pubsub.subscribe(t);
  }

  async dial(address: string, timeoutMs: number): Promise<void> {
    await this.#libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(timeoutMs) });
  }

  /** Whether this peer has a connection open to `peerId`. */
  isConnectedTo(peerId: string): boolean {
    return this.#libp2p.getConnections().some((c) => c.remotePeer.toString() === peerId);
  }

  /** Whether `peerId` is in this peer's mesh for `topic` (this peer grafted it and was not pruned). */
  hasMeshPeer(topic: string, peerId: string): boolean {
    return (this.#libp2p.services.pubsub as GossipInternals).getMeshPeers(topic).includes(peerId);
  }

  /** Publishes `data` on `topic`; returns the number of peers it was sent to (0 when none). */
  async publish(topic: string, data: Uint8Array): Promise<number> {
    try {
      const r = await this.#libp2p.services.pubsub.publish(topic, data);
      return r.recipients.length;
    } catch {
      return 0;
    }
  }

  deliveriesOf(messageId: string): Delivery[] {
    return this.deliveries.filter((d) => d.messageId === messageId);
  }

  /** Waits until `predicate` holds over the deliveries, at most `timeoutMs`; returns whether it held. */
  async waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(wake);
        resolve(value);
      };
      const wake = () => {
        if (predicate()) done(true);
      };
      const timer = setTimeout(() => done(predicate()), timeoutMs);
      // Conditions that do not depend on deliveries (connections) are polled.
      const poll = setInterval(wake, 50);
      this.#waiters.add(wake);
    });
  }

  /**
   * One request/response exchange of p2p.md#sync-framing: opens `protocol` on the node, writes
   * `request` as one frame (none when undefined), closes its write side and reads response frames
   * until the node closes, at most `timeoutMs`. Returns each frame's kind byte and body.
   */
  async requestSync(
    address: string,
    protocol: string,
    request: unknown,
    timeoutMs: number,
  ): Promise<Array<{ kind: number; body: Uint8Array }>> {
    const signal = AbortSignal.timeout(timeoutMs);
    const stream = await this.#libp2p.dialProtocol(multiaddr(address), protocol, { signal });
    const onAbort = () => stream.abort(new Error(`no complete answer within ${timeoutMs} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Read before writing: a libp2p 3 stream's iterator sees the remote's close only if it listened.
      const reading = (async () => {
        let buffered = Buffer.alloc(0);
        const frames: Array<{ kind: number; body: Uint8Array }> = [];
        for await (const chunk of stream) {
          buffered = Buffer.concat([buffered, chunk.subarray()]);
          for (;;) {
            const frame = readFrame(buffered);
            if (frame === undefined) break;
            buffered = buffered.subarray(frame.consumed);
            if (frame.body.length === 0) throw new Error('an empty response frame');
            frames.push({ kind: frame.body[0] ?? -1, body: frame.body.subarray(1) });
          }
        }
        if (buffered.length > 0) throw new Error('the stream ended inside a frame');
        return frames;
      })();
      reading.catch(() => {});
      if (request !== undefined) {
        const body = new TextEncoder().encode(JSON.stringify(request));
        if (!stream.send(Buffer.concat([encodeVarint(body.length), body]))) await stream.onDrain({ signal });
      }
      await stream.close({ signal });
      return await reading;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async stop(): Promise<void> {
    await this.#libp2p.stop();
  }
}

/** Unsigned LEB128 (p2p.md#sync-framing). */
function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Largest frame accepted: a status frame (1 MiB, p2p.md#sync-framing). */
const maxFrameBytes = 1024 * 1024;

/** One length-prefixed frame at the start of `bytes`, or undefined when it is not complete yet. */
function readFrame(bytes: Buffer): { body: Buffer; consumed: number } | undefined {
  let length = 0;
  let scale = 1;
  for (let i = 0; i < bytes.length && i < 8; i++) {
    const byte = bytes[i] ?? 0;
    length += (byte & 0x7f) * scale;
    scale *= 0x80;
    if (byte < 0x80) {
      if (length > maxFrameBytes) throw new Error(`a frame of ${length} bytes (limit ${maxFrameBytes})`);
      if (bytes.length < i + 1 + length) return undefined;
      return { body: bytes.subarray(i + 1, i + 1 + length), consumed: i + 1 + length };
    }
  }
  if (bytes.length >= 8) throw new Error('a frame length longer than 8 bytes');
  return undefined;
}
