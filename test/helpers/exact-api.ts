import type { ExactSandbox } from '../../connectors/exact-online/sandbox/exact.sandbox';
import { EXACT_SANDBOX_CREDENTIALS } from '../../connectors/exact-online/sandbox/exact.sandbox';

type Row = Record<string, any>;

/**
 * Exact Online's API as an outside reader sees it: its own app authorization, every page of a sync endpoint
 * (or, with `filter` null, of a read function such as read/financial/ReceivablesList).
 */
export async function exactList(
  sandbox: ExactSandbox,
  path: string,
  select: string,
  filter: string | null = 'Timestamp gt 1L',
): Promise<Row[]> {
  const token = await fetch(`${sandbox.url}/api/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: sandbox.issueRefreshToken(),
      client_id: EXACT_SANDBOX_CREDENTIALS.clientId,
      client_secret: EXACT_SANDBOX_CREDENTIALS.clientSecret,
    }),
  }).then((reply) => reply.json() as Promise<{ access_token: string }>);
  const rows: Row[] = [];
  let url: string | undefined =
    `${sandbox.url}/api/v1/${sandbox.store.division}/${path}?${filter ? `$filter=${encodeURIComponent(filter)}&` : ''}$select=${select}`;
  while (url) {
    const reply = await fetch(url, {
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' },
    });
    if (!reply.ok) throw new Error(`${url} → ${reply.status}: ${await reply.text()}`);
    const body = (await reply.json()) as { d: { results: Row[]; __next?: string } };
    rows.push(...body.d.results);
    url = body.d.__next;
  }
  return rows;
}

/** The sandbox's own app, for a plan: a refresh token issued as if the user had just authorized it. */
export function exactCredentials(sandbox: ExactSandbox): Record<string, string> {
  return {
    clientId: EXACT_SANDBOX_CREDENTIALS.clientId,
    clientSecret: EXACT_SANDBOX_CREDENTIALS.clientSecret,
    refreshToken: sandbox.issueRefreshToken(),
  };
}
