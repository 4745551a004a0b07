import type { DecodedLog, ScanContext } from './engine.js';
import type {
  AdapterOutput,
  Address,
  Asset,
  ContagionAlert,
  EvidenceRef,
  RecoveryAmount,
  RecoveryEvent,
  RecoveryEventKind,
  RecoveryMechanism,
  Severity,
} from './types.js';

export interface RecoveryEventInput {
  key: string;
  kind: RecoveryEventKind;
  severity: Severity;
  occurredAt: number;
  contracts: Address[];
  evidence: EvidenceRef[];
  markets?: string[];
  assets?: Asset[];
  mechanism?: RecoveryMechanism;
  amounts?: RecoveryAmount[];
  correlationId?: string;
  summary?: string;
}

function unique<T>(items: T[], id: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = id(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Makes a schema `Label` (`^[a-zA-Z0-9][a-zA-Z0-9_./:-]{0,127}$`) of a display name: other
 * characters become `-`, a bad first character gets an `x` prefix, the result is cut at 128.
 */
export function toLabel(name: string): string {
  const cleaned = name.trim().replace(/[^a-zA-Z0-9_./:-]/g, '-');
  const label = /^[a-zA-Z0-9]/.test(cleaned) ? cleaned : `x${cleaned}`;
  return label.slice(0, 128);
}

/** Assembles a RecoveryEvent output; optional fields are left out when empty. */
export function buildRecoveryEvent(ctx: ScanContext, input: RecoveryEventInput): AdapterOutput {
  const markets =
    input.markets === undefined ? [] : unique(input.markets.map(toLabel), (m) => m.toLowerCase());
  const assets = input.assets === undefined ? [] : unique(input.assets, (a) => a.address.toLowerCase());
  const payload: RecoveryEvent = {
    kind: input.kind,
    protocol: ctx.protocol,
    severity: input.severity,
    occurredAt: input.occurredAt,
    detectedAt: Math.max(ctx.now, input.occurredAt),
    scope: {
      chain: ctx.chain,
      contracts: unique(input.contracts, (c) => c.toLowerCase()),
      ...(markets.length > 0 ? { markets } : {}),
      ...(assets.length > 0 ? { assets } : {}),
    },
    ...(input.mechanism === undefined ? {} : { mechanism: input.mechanism }),
    ...(input.amounts === undefined || input.amounts.length === 0 ? {} : { amounts: input.amounts }),
    evidence: input.evidence,
    ...(input.correlationId === undefined ? {} : { correlationId: input.correlationId }),
    ...(input.summary === undefined ? {} : { summary: input.summary.slice(0, 280) }),
  };
  return { type: 'RecoveryEvent', key: input.key, payload };
}

/** Assembles a ContagionAlert output. */
export function buildContagionAlert(key: string, payload: ContagionAlert): AdapterOutput {
  return { type: 'ContagionAlert', key, payload };
}

/** Groups logs by transaction, keeping first-seen order. */
export function groupByTransaction(logs: DecodedLog[]): DecodedLog[][] {
  const groups = new Map<string, DecodedLog[]>();
  for (const log of logs) {
    const list = groups.get(log.txHash) ?? [];
    list.push(log);
    groups.set(log.txHash, list);
  }
  return [...groups.values()];
}

/** Finds the configured asset for an address (case-insensitive). */
export function findAsset(assets: Asset[], address: string): Asset | undefined {
  const a = address.toLowerCase();
  return assets.find((asset) => asset.address !== 'native' && asset.address.toLowerCase() === a);
}
