/**
 * Headless Chromium for browser tests: the system's Chromium (Debian's /usr/bin/chromium, or
 * `SESSIONHUB_CHROMIUM`) driven by playwright-core — never a browser Playwright downloads — with a
 * fresh user-data-dir per browser and no background traffic. Node only; playwright-core is an
 * optional peer dependency of this package.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium the tests drive: `SESSIONHUB_CHROMIUM` when set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.SESSIONHUB_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile; `close()` also deletes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Throws, saying how to install it, when there is no Chromium at {@link CHROMIUM_PATH}. */
export function ensureChromium(): void {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}. Install Debian's (apt-get install chromium; in this repository ` +
        '`node scripts/ensure-chromium.mjs` does it), or set SESSIONHUB_CHROMIUM to a Chromium binary.',
    );
  }
}

/** Launches headless Chromium with a fresh profile. */
export async function launchChromium(): Promise<TestBrowser> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'sessionhub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1180, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
