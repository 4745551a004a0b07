import {
  type Address,
  bytesToHex,
  getSecpBackend,
  type Hex,
  hexToBytes,
  keccak256,
  type MemberKey,
  toChecksumAddress,
} from '../envelope/index.js';
import {
  type AnnouncementOfParameters,
  announcementOf,
  type PublishResult,
  type SfrNode,
} from '../node/index.js';
import { KeyError } from './keyError.js';
import { loadKeyFile, parseKeyFile } from './keyFile.js';
import { type PassphraseSource, readPassphrase } from './readPassphrase.js';

/** The text the new key signs (EIP-191) to prove the member holds it (node.md#rotation). */
export function rotationProofText(member: string, effectiveFromSeq: number): string {
  return `sfr-key-rotation:${member.toLowerCase()}:${effectiveFromSeq}`;
}

/** EIP-191 `personal_sign` of `text` by `privateKey`: 65 bytes, lower-case hex, v ∈ {27, 28}. */
function personalSign(text: string, privateKey: Hex): Hex {
  const message = new TextEncoder().encode(text);
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const bytes = new Uint8Array(prefix.length + message.length);
  bytes.set(prefix, 0);
  bytes.set(message, prefix.length);
  const { signature, recid } = getSecpBackend().sign(keccak256(bytes), hexToBytes(privateKey)!);
  const sig = new Uint8Array(65);
  sig.set(signature, 0);
  sig[64] = 27 + recid;
  return bytesToHex(sig);
}

export type RotateMemberKeyParameters = {
  readonly node: Pick<SfrNode, 'publish' | 'signer' | 'peerId' | 'member' | 'multiaddrs'>;
  readonly newKey: MemberKey;
  /** The member's protocol slug (NodeConfig identity.protocol). */
  readonly protocol: string;
  readonly capabilities?: AnnouncementOfParameters['capabilities'];
};

export type RotateMemberKeyReturnType = {
  readonly announcement: PublishResult;
  readonly newKey: Address;
  readonly effectiveFromSeq: number;
};

/**
 * Rotates the member's key (node.md#rotation): publishes a NodeAnnouncement whose `keyRotation`
 * names the new key from the next seq on, with the new key's proof of possession, signed by the
 * current key; every later envelope is signed by the new key. Refused (`KEY_ROTATION_REFUSED`,
 * nothing published) for a remote signer or the current key; a publish that fails undoes it.
 */
export async function rotateMemberKey(p: RotateMemberKeyParameters): Promise<RotateMemberKeyReturnType> {
  const { signer } = p.node;
  if (signer.rotateTo === undefined) {
    throw new KeyError(
      'KEY_ROTATION_REFUSED',
      `a ${signer.kind} signer cannot rotate here: rotate at the signer`,
      {
        section: 'node.md#rotation',
      },
    );
  }
  if (p.newKey.address.toLowerCase() === signer.key.toLowerCase()) {
    throw new KeyError('KEY_ROTATION_REFUSED', 'the new key is the key in use', {
      section: 'node.md#rotation',
    });
  }
  let undo: (() => void) | undefined;
  let effectiveFromSeq = 0;
  try {
    const announcement = await p.node.publish(
      'NodeAnnouncement',
      {},
      {
        payloadAt: (seq) => {
          effectiveFromSeq = seq + 1;
          undo = signer.rotateTo!(p.newKey.privateKey, effectiveFromSeq);
          return announcementOf({
            node: { peerId: p.node.peerId, member: signer.member, multiaddrs: () => p.node.multiaddrs() },
            protocol: p.protocol,
            capabilities: p.capabilities ?? ['relay', 'sync'],
            keyRotation: {
              newKey: p.newKey.address,
              effectiveFromSeq,
              newKeySignature: personalSign(
                rotationProofText(signer.member, effectiveFromSeq),
                p.newKey.privateKey,
              ),
            },
          }) as unknown as Record<string, unknown>;
        },
      },
    );
    return { announcement, newKey: p.newKey.address, effectiveFromSeq };
  } catch (error) {
    undo?.();
    throw error;
  }
}

/**
 * Opens the new key of a rotation from a file on this host (node.md#rotation rule 4), with the rules
 * of `identity.keyFile` (mode 0600, either form). A remote signer reference is refused
 * (`KEY_ROTATION_REFUSED`): such a key is rotated at the signer.
 */
export async function openRotationKey(p: {
  readonly keyFile: string;
  readonly passphrase: PassphraseSource;
}): Promise<MemberKey> {
  const parsed = await parseKeyFile(p.keyFile);
  if (parsed.form === 'remote') {
    throw new KeyError('KEY_ROTATION_REFUSED', `${p.keyFile} names a remote signer: rotate at the signer`, {
      section: 'node.md#rotation',
    });
  }
  const key = await loadKeyFile(p.keyFile, () =>
    readPassphrase({ ...p.passphrase, prompt: `Passphrase of ${p.keyFile}` }),
  );
  return { address: key.address, privateKey: key.privateKey };
}

/**
 * node.md#rotation rule 5: refuses (`KEY_SUPERSEDED`) a key its member rotated away from, i.e. one
 * that is not the key `keyFor` (the rotations the store holds) names at the member's next seq.
 */
export function checkKeyCurrent(p: {
  readonly member: string;
  readonly key: string;
  readonly nextSeq: number;
  readonly keyFor: (member: Address, seq: number) => Address;
  readonly rotations: readonly { readonly fromSeq: number; readonly key: Address }[];
}): void {
  const expected = p.keyFor(p.member as Address, p.nextSeq);
  if (expected.toLowerCase() === p.key.toLowerCase()) return;
  const last = p.rotations.at(-1);
  throw new KeyError(
    'KEY_SUPERSEDED',
    `the member ${toChecksumAddress(p.member)} signs with ${toChecksumAddress(expected)} from seq ${last?.fromSeq ?? 0} on, not with the loaded key ${toChecksumAddress(p.key)}: point identity.keyFile at the new key`,
    { section: 'node.md#rotation' },
  );
}
