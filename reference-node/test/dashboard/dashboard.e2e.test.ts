/**
 * The dashboard in a real headless Chromium against two real `sfr node start` processes (libp2p
 * over loopback TCP): the page shows what the node's API says, and an alert published at the other
 * node appears on it within 2 s (issue 11 item 3). Screenshots (laptop and phone width) go to
 * .cache/dashboard/ for a person to look at.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import type { CNetwork } from '../contagion/contagionNetwork.js';
import { callApi, POOL_ID, populate, startDashboardScene, usdcDepeg } from './dashboardScene.js';
import { launchChromium, SKIP_BROWSER } from './launchChromium.js';

/** What a person reads in an element: rendered text (layout-aware), whitespace collapsed. */
async function visibleText(target: {
  evaluate<R>(f: (el: { innerText: string }) => R): Promise<R>;
}): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the test checks what is shown, which textContent is not
  const text = await target.evaluate((el) => el.innerText);
  return text.replace(/\s+/g, ' ');
}

const SHOTS = path.resolve(import.meta.dirname, '../../../.cache/dashboard');
/** The requirement under test: published at one node, on the other node's page within 2 s. */
const LIVE_WITHIN_MS = 2_000;
/** Waits for the page to show what the API already holds. */
const PAGE_WAIT_MS = TIMEOUTS.event;

describe('the browser tests without Chromium', () => {
  it('fail with how to install it rather than skip', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      'Chromium is not installed at /nonexistent/chromium: the dashboard tests run in a real headless Chromium. Install it with `sudo apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu), or point SFR_CHROMIUM at a Chromium binary, or set SFR_SKIP_BROWSER=1 to skip the browser tests.',
    );
  });
});

describe.skipIf(SKIP_BROWSER)('dashboard in headless Chromium, two real nodes', () => {
  let browser: Browser;
  let net: CNetwork;
  let claimId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    net = await startDashboardScene();
    ({ claimId } = await populate(net));
    await mkdir(SHOTS, { recursive: true });
  }, TIMEOUTS.scenario);
  afterAll(async () => {
    await browser?.close();
    await net?.stop();
  });

  const open = async (width: number, height: number, mobile = false): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width, height },
      ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${net.nodes[0]!.apiUrl}/`);
    await page.waitForSelector('body[data-stream="live"]', { timeout: PAGE_WAIT_MS });
    await page.waitForSelector(`[data-claim-id="${claimId}"] .vote`, { timeout: PAGE_WAIT_MS });
    return page;
  };

  it('shows an alert published at the other node within 2 s, corroborated, with payload text as text', async () => {
    const [a, b] = net.nodes;
    const page = await open(1440, 900);
    expect(page.url()).toBe(`${a!.apiUrl}/dashboard`);
    const [own] = (await callApi(a!, 'GET', '/v1/alerts/active')).json.items;
    await page.waitForSelector(`[data-alert-id="${own.messageId}"]`, { timeout: PAGE_WAIT_MS });

    const hostile = '<img src=x onerror="window.__pwned=1">USDC below 0.95 on <b>every</b> venue';
    const started = Date.now();
    const published = await callApi(b!, 'POST', '/v1/alerts', {
      payload: usdcDepeg(Date.now(), { severity: 'critical', confidence: 8000, summary: hostile }),
    });
    expect(published.status).toBe(201);
    // Published = acknowledged by node 1 (signed and durably stored, then gossiped); from then on the
    // time is the network's and the page's.
    const acknowledged = Date.now();
    const row = await page.waitForSelector(`[data-alert-id="${published.json.messageId}"]`, {
      timeout: LIVE_WITHIN_MS,
    });
    const shown = Date.now();
    console.log(
      `dashboard: alert acknowledged by node 1 after ${acknowledged - started} ms, on node 0's page ${shown - acknowledged} ms later`,
    );
    expect(shown - acknowledged).toBeLessThan(LIVE_WITHIN_MS);

    // One group, two issuers: combine([8000, 7000]) = 10 000 − ⌊2 000 · 3 000 / 10 000⌋ = 9 400.
    const card = await row!.evaluateHandle((el) => el.closest('article.card'));
    const text = await visibleText(card);
    expect(text).toContain('94%');
    expect(text).toContain('2 issuers');
    expect(text).toMatch(/critical/i);
    expect(text).toContain('expires in 5h 59m');
    // Untrusted payload text is shown as typed, never parsed.
    expect(text).toContain(hostile);
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();

    // The node exposes USDC, so its responder pushed the alert as a notice: the card says so.
    await page.waitForSelector('#notices li', { timeout: PAGE_WAIT_MS });
    await page.waitForSelector(`article:has([data-alert-id="${published.json.messageId}"]) .exposed`, {
      timeout: PAGE_WAIT_MS,
    });

    // Pools: the ledger and the decided claim with node 0's attestation. The pool scene's claim is decided
    // when its round closes, which can come after the alert on a busy machine: wait for the decision.
    // Polled from the test: a string predicate for waitForFunction is eval'd in the page, which the
    // dashboard's CSP (script-src 'self') refuses once the first check fails.
    await waitFor(
      async () =>
        /settled|approved/i.test((await page.locator(`[data-claim-id="${claimId}"]`).textContent()) ?? ''),
      PAGE_WAIT_MS,
      'claim decided on the page',
    );
    const pool = await visibleText(page.locator(`[data-pool-id="${POOL_ID}"]`));
    expect(pool).toContain('Loopback mutual');
    expect(pool).toContain('1,000,000 USDC'); // capital: 600 000 + 400 000
    expect(pool).toContain('100,000 USDC'); // paid out: 125 000 requested, capped at perClaim 100 000
    const claim = await visibleText(page.locator(`[data-claim-id="${claimId}"]`));
    expect(claim).toMatch(/settled|approved/);
    expect(claim).toContain('gmx-usdc-pause');
    expect(claim).toContain('aave-v3');
    // Members, peers and health.
    expect(await page.locator('#members tr[data-member]').count()).toBe(2);
    expect(await page.locator('#peers tbody tr').count()).toBe(1);
    expect(await page.locator('#health').textContent()).toMatch(/ok/i);
    expect(await page.locator('#events li').count()).toBe(1);

    await page.screenshot({ path: path.join(SHOTS, 'laptop.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('is readable at phone width: one column, nothing wider than the screen', async () => {
    const page = await open(390, 844, true);
    await page.waitForSelector('#alerts article.card', { timeout: PAGE_WAIT_MS });
    // Notices pushed before the page opened are replayed from those the node holds.
    await page.waitForSelector('#notices li', { timeout: PAGE_WAIT_MS });
    await page.waitForSelector('#alerts .exposed', { timeout: PAGE_WAIT_MS });
    const widths = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      columns: getComputedStyle(document.querySelector('main')).gridTemplateColumns.split(' ').length,
    })`)) as { page: number; viewport: number; columns: number };
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.columns).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('serves the page read-only with a CSP that allows only this origin', async () => {
    const url = net.nodes[0]!.apiUrl;
    const res = await fetch(`${url}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/data-stream-after="\d+"/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toContain('token');
    const redirect = await fetch(`${url}/`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/dashboard']);
    const asset = await fetch(`${url}/dashboard/corroboration.js`);
    expect([asset.status, asset.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    const missing = await fetch(`${url}/dashboard/index.html`);
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([
      404,
      'API_NOT_FOUND',
    ]);
    const post = await fetch(`${url}/dashboard`, { method: 'POST' });
    expect(post.status).toBe(405); // read-only: API_METHOD_NOT_ALLOWED with Allow: GET (api.md)
  });
});
