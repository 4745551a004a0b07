/**
 * Opaque page cursors of the HTTP API (MessageListResponse.nextCursor, base64url): the store's
 * arrival cursor, versioned so the encoding can change without breaking clients that store one.
 */
const PREFIX = 'c1:';

export function encodeCursor(storeCursor: number): string {
  return Buffer.from(`${PREFIX}${storeCursor}`, 'utf8').toString('base64url');
}

/** The store cursor, or undefined when `text` is not a cursor this node issued. */
export function decodeCursor(text: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) return undefined;
  const s = Buffer.from(text, 'base64url').toString('utf8');
  if (!s.startsWith(PREFIX)) return undefined;
  const digits = s.slice(PREFIX.length);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}
