import canonicalize from 'canonicalize';

/**
 * Envelope-shaped canonical wire bytes for store tests. The store never checks signatures (the
 * node's pipeline does, before append), so these carry a well-formed but unchecked signature.
 */
export interface FixtureParameters {
  readonly issuer?: string;
  readonly seq: number;
  readonly type?: string;
  readonly issuedAt?: number;
  readonly payload?: Record<string, unknown>;
  readonly poolId?: string;
}

export const ISSUER_A = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';
export const ISSUER_B = '0x1111111111111111111111111111111111111111';

const te = new TextEncoder();

export function makeWire(p: FixtureParameters): Uint8Array {
  const env: Record<string, unknown> = {
    sfr: '1.0',
    type: p.type ?? 'RecoveryEvent',
    issuer: p.issuer ?? ISSUER_A,
    seq: p.seq,
    issuedAt: p.issuedAt ?? 1_767_225_600_000 + p.seq,
    payload: p.payload ?? { kind: 'emergency_pause', protocol: 'aave-v3', severity: 'high' },
    signature: `0x${'ab'.repeat(64)}1b`,
  };
  if (p.poolId !== undefined) env['scope'] = { poolId: p.poolId, epoch: 1 };
  const s = canonicalize(env);
  if (s === undefined) throw new Error('canonicalize failed');
  return te.encode(s);
}

export function makeAlert(p: {
  seq: number;
  issuer?: string;
  expiresAt: number;
  resolves?: string;
}): Uint8Array {
  return makeWire({
    seq: p.seq,
    ...(p.issuer === undefined ? {} : { issuer: p.issuer }),
    type: 'ContagionAlert',
    payload: {
      indicator: 'depeg',
      severity: 'high',
      confidence: 8000,
      observedAt: 1_767_225_600_000,
      expiresAt: p.expiresAt,
      ...(p.resolves === undefined ? {} : { resolves: p.resolves }),
    },
  });
}
