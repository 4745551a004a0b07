/**
 * The node's libp2p identity (its peer id), kept in `<dataDir>/peer.key` (protobuf, mode 0600) so the
 * peer id survives restarts. Distinct from the member key: a member may rotate nodes without rotating
 * its signing key; the binding is a signed NodeAnnouncement.
 */
import { constants } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { readSecretFile, secretFileExpectation } from '../keys/privateFile.js';
import { NodeError } from './nodeError.js';

/**
 * The peer key of `dataDir`, created when there is none. Refuses one open to others
 * (`GOSSIP_PEER_KEY_INSECURE`) and one that is not a regular file (a FIFO would block the read) or
 * not a libp2p private key (`GOSSIP_PEER_KEY_INVALID`).
 */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const file = path.join(dataDir, 'peer.key');
  try {
    const bytes = await readSecretFile(file, (why) =>
      why.reason === 'unreadable'
        ? (why.cause as Error)
        : new NodeError(
            why.reason === 'open-to-others' ? 'GOSSIP_PEER_KEY_INSECURE' : 'GOSSIP_PEER_KEY_INVALID',
            `peer key file ${file} ${secretFileExpectation(file, why)}`,
          ),
    );
    return privateKeyFromProtobuf(bytes);
  } catch (err) {
    if (err instanceof NodeError) throw err;
    if ((err as { code?: string }).code !== 'ENOENT') {
      throw new NodeError('GOSSIP_PEER_KEY_INVALID', `cannot read peer key file ${file}`, { cause: err });
    }
  }
  await mkdir(dataDir, { recursive: true });
  const key = await generateKeyPair('Ed25519');
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    await handle.writeFile(privateKeyToProtobuf(key));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  return key;
}
