/**
 * Webhook signatures (spec/v1/contagion.md#webhook-delivery): HMAC-SHA256 under the webhook's
 * secret over `<timestamp>.<body>`, sent as `sfr-signature: v1=<lower-case hex>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** [sfr] The signature scheme's version tag in the header value. */
export const SIGNATURE_VERSION = 'v1';
/** [sfr] A receiver should refuse a timestamp further than 5 minutes from its clock (replay window). */
export const SIGNATURE_TOLERANCE_MS = 300_000;

export function signWebhook(secret: Uint8Array | string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/** The check a receiver runs (constant-time compare, timestamp window). */
export function verifyWebhookSignature(p: {
  secret: Uint8Array | string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now?: number;
  toleranceMs?: number;
}): boolean {
  if (p.timestamp === undefined || p.signature === undefined || !/^[0-9]{1,16}$/.test(p.timestamp))
    return false;
  const ts = Number(p.timestamp);
  if (Math.abs((p.now ?? Date.now()) - ts) > (p.toleranceMs ?? SIGNATURE_TOLERANCE_MS)) return false;
  const expected = Buffer.from(signWebhook(p.secret, ts, p.body));
  const got = Buffer.from(p.signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
