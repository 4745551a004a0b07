import type { StatusResponse } from '@sfr/schemas';
import { validate } from '@sfr/schemas';
import { CliError } from './cliError.js';

export { DEFAULT_API_URL } from './apiUrl.js';
/** How long `sfr status` waits for the node. */
export const STATUS_TIMEOUT_MS = 5_000;

export async function fetchStatus(apiUrl: string): Promise<StatusResponse> {
  let res: Response;
  try {
    res = await fetch(new URL('/v1/status', apiUrl), { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError('API_UNREACHABLE', `no node answers at ${apiUrl} (${cause})`);
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const p = body as { code?: string; title?: string } | undefined;
    throw new CliError(
      p?.code ?? 'API_ERROR',
      `${apiUrl} answered ${res.status}${p?.title ? `: ${p.title}` : ''}`,
    );
  }
  const v = validate('StatusResponse', body);
  if (!v.ok)
    throw new CliError(
      'API_BAD_RESPONSE',
      `${apiUrl} answered a status that is not a StatusResponse (${v.issues[0]?.code} at ${v.issues[0]?.pointer})`,
    );
  return v.value;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The human form of `sfr status`. */
export function formatStatus(s: StatusResponse, now = Date.now()): string {
  const lines = [
    `node     ${s.peerId}`,
    `member   ${s.member} (${s.protocol})`,
    `version  ${s.version}, spec ${s.specVersions.join(', ')}, up ${ago(now - s.startedAt)}`,
    `peers    ${s.peers.connected} connected, ${s.peers.members} members`,
    `store    ${s.store.messages} messages${s.store.bytes === undefined ? '' : `, ${Math.round(s.store.bytes / 1024)} KiB`}, own head seq ${s.headSeq ?? '–'}`,
    ...s.topics.map((t, i) => `${i === 0 ? 'topics' : '      '}   ${t.topic} (mesh ${t.meshPeers})`),
  ];
  return `${lines.join('\n')}\n`;
}
