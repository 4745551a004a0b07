/**
 * Debian's Chromium driven by playwright-core (shared/TOOLCHAIN.md "browser tests"). A browser is
 * never downloaded: a machine without Chromium fails the browser tests with how to install it,
 * unless SFR_SKIP_BROWSER=1 says to skip them.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's `chromium` package puts the binary; SFR_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env['SFR_CHROMIUM'] ?? '/usr/bin/chromium';

export const SKIP_BROWSER = process.env['SFR_SKIP_BROWSER'] === '1';

/** Flags for a headless run on a shared CI machine (no sandbox as root, no GPU, no network chatter). */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: the dashboard tests run in a real headless Chromium. ` +
        'Install it with `sudo apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu), ' +
        'or point SFR_CHROMIUM at a Chromium binary, or set SFR_SKIP_BROWSER=1 to skip the browser tests.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}
