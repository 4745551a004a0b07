/**
 * `announcementOf(p)`: the `NodeAnnouncement` payload a node signs for its own member (messages.md
 * #nodeannouncement): its peer id bound to the member, the addresses it can be dialled on, the wire
 * versions it speaks and its capabilities, plus a heartbeat (node.md#liveness) or a key rotation
 * (node.md#rotation). The one builder: liveness and key rotation both announce through it.
 *
 *   const payload = announcementOf({ node, protocol: 'aave-v3', capabilities: ['relay', 'sync'] });
 */
import type { Address, NodeAnnouncement } from '@sfr/schemas';

/** NodeAnnouncement.addresses holds at most 16 multiaddrs (the schema's bound). */
const MAX_ADDRESSES = 16;
/** The wire versions this node speaks (versioning.md: the current minor; there is no earlier one in v1). */
export const SPEC_VERSIONS: readonly string[] = ['1.0'];

export interface AnnouncementOfParameters {
  readonly node: { readonly peerId: string; readonly member: Address; multiaddrs(): string[] };
  readonly protocol: string;
  readonly capabilities: readonly NodeAnnouncement['capabilities'][number][];
  readonly heartbeat?: NodeAnnouncement['heartbeat'];
  readonly keyRotation?: NodeAnnouncement['keyRotation'];
}

export function announcementOf(p: AnnouncementOfParameters): NodeAnnouncement {
  return {
    peerId: p.node.peerId,
    member: p.node.member,
    protocol: p.protocol,
    addresses: [...new Set(p.node.multiaddrs())].slice(0, MAX_ADDRESSES),
    specVersions: [...SPEC_VERSIONS],
    capabilities: [...new Set(p.capabilities)],
    ...(p.heartbeat === undefined ? {} : { heartbeat: p.heartbeat }),
    ...(p.keyRotation === undefined ? {} : { keyRotation: p.keyRotation }),
  };
}
