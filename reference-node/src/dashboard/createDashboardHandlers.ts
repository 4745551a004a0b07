/**
 * Handlers of `DASHBOARD_ROUTES`: the page and its assets, read once from the package (the files
 * under src/dashboard/assets, shipped with it) and held in memory. The page's pure helpers for
 * corroboration are the node's own compiled modules (dist/contagion), served as they are, so the
 * page computes an alert group's combined confidence with the same code as the responder; so is the
 * table of what each message type changes (dist/dashboard/messageParts.js, keyed by the generated
 * message-type list).
 *
 * Every answer carries a Content-Security-Policy allowing only this origin's scripts, styles and
 * connections (no inline script, no framing), `nosniff` and `no-referrer`. The page renders payload
 * text with `textContent` only: nothing a peer signed is ever parsed as HTML.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readQuery } from '../api/params.js';
import { ApiProblem } from '../api/problem.js';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';

/** The page's security headers (spec/v1/api.md#dashboard). */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

/** The package root: this module is src/dashboard/*.ts or dist/dashboard/*.js. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Asset name → [file under the package root, content type]. */
const ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  'index.html': ['src/dashboard/assets/index.html', 'text/html; charset=utf-8'],
  'dashboard.css': ['src/dashboard/assets/dashboard.css', 'text/css; charset=utf-8'],
  'main.js': ['src/dashboard/assets/main.js', 'text/javascript; charset=utf-8'],
  'model.js': ['src/dashboard/assets/model.js', 'text/javascript; charset=utf-8'],
  'render.js': ['src/dashboard/assets/render.js', 'text/javascript; charset=utf-8'],
  'format.js': ['src/dashboard/assets/format.js', 'text/javascript; charset=utf-8'],
  'sse.js': ['src/dashboard/assets/sse.js', 'text/javascript; charset=utf-8'],
  'corroboration.js': ['dist/contagion/corroboration.js', 'text/javascript; charset=utf-8'],
  'matchSubject.js': ['dist/contagion/matchSubject.js', 'text/javascript; charset=utf-8'],
  'messageParts.js': ['dist/dashboard/messageParts.js', 'text/javascript; charset=utf-8'],
};

export interface CreateDashboardHandlersParameters {
  /** The node's store: the page starts following /v1/stream after its last cursor at load. */
  readonly store: Pick<Store, 'stats'>;
  readonly logger?: Logger;
}

export function createDashboardHandlers(
  p: CreateDashboardHandlersParameters,
): Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>> {
  const cache = new Map<string, Promise<string>>();
  const load = (name: string): Promise<string> => {
    let text = cache.get(name);
    if (text === undefined) {
      text = readFile(`${PACKAGE_ROOT}${ASSETS[name]![0]}`, 'utf8');
      // A missing file (a package not built) is retried on the next request, not cached.
      text.catch(() => cache.delete(name));
      cache.set(name, text);
    }
    return text;
  };
  const send = async (reply: FastifyReply, name: string, body: (text: string) => string = (t) => t) => {
    let text: string;
    try {
      text = await load(name);
    } catch (error) {
      p.logger?.error(
        { asset: name, err: { message: (error as Error).message } },
        'dashboard asset unreadable (is the package built?)',
      );
      throw new ApiProblem({ status: 500, code: 'API_INTERNAL_ERROR', detail: 'dashboard asset unreadable' });
    }
    return reply.headers(DASHBOARD_HEADERS).type(ASSETS[name]![1]).send(body(text));
  };
  return {
    redirectToDashboard: async (_req, reply) => reply.headers(DASHBOARD_HEADERS).redirect('/dashboard', 302),
    getDashboard: async (req, reply) => {
      readQuery(req, []);
      const after = (await p.store.stats()).lastCursor;
      return send(reply, 'index.html', (t) => t.replace('{{streamAfter}}', String(after)));
    },
    getDashboardAsset: async (req, reply) => {
      const { file } = req.params as { file: string };
      if (!Object.hasOwn(ASSETS, file) || file === 'index.html')
        throw new ApiProblem({ status: 404, code: 'API_NOT_FOUND', detail: 'no such dashboard asset' });
      return send(reply, file);
    },
  };
}
