/**
 * The dashboard's routes (spec/v1/api.md#dashboard): a read-only page served on the API port, its
 * static assets, and `/` sending a browser there. Declared like every API route, so `createApi`
 * mounts exactly these and the OpenAPI document lists them.
 */
import type { RouteSpec } from '../api/routes.js';

export const DASHBOARD_ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/',
    operationId: 'redirectToDashboard',
    summary: 'Redirects a browser to the dashboard',
    tag: 'dashboard',
    auth: false,
    ok: { status: 302, description: 'Location: /dashboard.', contentType: 'text/plain' },
    problems: [429],
  },
  {
    method: 'GET',
    url: '/dashboard',
    operationId: 'getDashboard',
    summary: 'The live dashboard (HTML): alerts, recovery events, members, peers, pools, claims, health',
    description:
      'Read-only; built from the JSON routes and event streams of this API. Served with a Content-Security-Policy that allows only this origin’s scripts, styles and connections.',
    tag: 'dashboard',
    auth: false,
    ok: { status: 200, description: 'The page.', contentType: 'text/html' },
    problems: [429],
  },
  {
    method: 'GET',
    url: '/dashboard/:file',
    operationId: 'getDashboardAsset',
    summary: 'A static asset of the dashboard (script, style sheet)',
    tag: 'dashboard',
    auth: false,
    parameters: [
      {
        name: 'file',
        in: 'path',
        required: true,
        description: 'The asset’s file name.',
        schema: { type: 'string', pattern: '^[a-zA-Z]{1,32}\\.(js|css)$' },
      },
    ],
    ok: { status: 200, description: 'The asset.', contentType: 'text/javascript' },
    problems: [404, 429],
  },
];
