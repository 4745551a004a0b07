import type { MemberListResponse, StatusResponse } from '@sfr/schemas';
import { registeredCodeOf, validate } from '@sfr/schemas';
import { CliError } from './cliError.js';

export { DEFAULT_API_URL } from './apiUrl.js';
/** How long `sfr status` waits for the node. */
export const STATUS_TIMEOUT_MS = 5_000;

export async function fetchStatus(apiUrl: string): Promise<StatusResponse> {
  return (await getChecked(apiUrl, '/v1/status', 'StatusResponse'))!;
}

/** Member liveness (`GET /v1/members`), or `undefined` from a node that does not track it (404). */
export async function fetchMembers(apiUrl: string): Promise<MemberListResponse | undefined> {
  return getChecked(apiUrl, '/v1/members', 'MemberListResponse', { absentOn404: true });
}

async function getChecked<K extends 'StatusResponse' | 'MemberListResponse'>(
  apiUrl: string,
  route: string,
  kind: K,
  options: { absentOn404?: boolean } = {},
): Promise<(K extends 'StatusResponse' ? StatusResponse : MemberListResponse) | undefined> {
  let res: Response;
  try {
    res = await fetch(new URL(route, apiUrl), { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError('API_UNREACHABLE', `no node answers at ${apiUrl} (${cause})`);
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (res.status === 404 && options.absentOn404 === true) return undefined;
  if (!res.ok) {
    const p = body as { code?: string; title?: string } | undefined;
    throw new CliError(
      registeredCodeOf(p, 'API_BAD_RESPONSE'),
      `${apiUrl} answered ${res.status}${p?.title ? `: ${p.title}` : ''}`,
    );
  }
  const v = validate(kind, body);
  if (!v.ok)
    throw new CliError(
      'API_BAD_RESPONSE',
      `${apiUrl}${route} answered a document that is not a ${kind} (${v.issues[0]?.code} at ${v.issues[0]?.pointer})`,
    );
  return v.value as K extends 'StatusResponse' ? StatusResponse : MemberListResponse;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The human form of `sfr status`, with each member's liveness when the node tracks it. */
export function formatStatus(s: StatusResponse, now = Date.now(), members?: MemberListResponse): string {
  const lines = [
    `node     ${s.peerId}`,
    `member   ${s.member} (${s.protocol})`,
    `version  ${s.version}, spec ${s.specVersions.join(', ')}, up ${ago(now - s.startedAt)}`,
    `peers    ${s.peers.connected} connected, ${s.peers.members} members`,
    `store    ${s.store.messages} messages${s.store.bytes === undefined ? '' : `, ${Math.round(s.store.bytes / 1024)} KiB`}, own head seq ${s.headSeq ?? '–'}`,
    ...s.topics.map((t, i) => `${i === 0 ? 'topics' : '      '}   ${t.topic} (mesh ${t.meshPeers})`),
    ...(members?.items ?? []).map(
      (m, i) =>
        `${i === 0 ? 'members' : '       '}  ${m.member} ${m.protocol ?? '–'} ${m.status}${m.self ? ' (this node)' : ''}${
          m.lastHeartbeatAt === undefined ? '' : `, heartbeat ${ago(now - m.lastHeartbeatAt)} ago`
        }${m.missedHeartbeats ? `, ${m.missedHeartbeats} missed` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
