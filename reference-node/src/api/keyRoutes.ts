/**
 * The key routes of the HTTP API (api.md#routes): rotate the member key. Mounted by `createApi`
 * when the node holds its member key itself (a keystore or plaintext key, not a remote signer).
 */
import type { RouteSpec } from './routes.js';

export const KEY_ROUTES: readonly RouteSpec[] = [
  {
    method: 'POST',
    url: '/v1/keys/rotate',
    operationId: 'rotateKey',
    summary: 'Rotate the member key to a key file on the node’s host',
    description:
      'Opens the new key from the file the body names (mode 0600; node.md#keys), publishes the NodeAnnouncement carrying the rotation signed by the current key, and signs every later envelope with the new key (node.md#rotation). The key never travels over HTTP. Refused with its KEY_* code, nothing published, when the key cannot be opened or is the key in use.',
    tag: 'keys',
    auth: true,
    body: 'RotateKeyRequest',
    ok: {
      status: 201,
      description: 'The NodeAnnouncement carrying the rotation: signed, stored and published.',
      schema: 'SubmitResponse',
    },
    problems: [400, 401, 413, 415, 422, 429, 503],
  },
];
