/**
 * docs/messages.md lists every diagnostic code of every package with its full text, generated from
 * the packages' message tables (`UPDATE_MESSAGES=1 npx vitest run docs/tools/messages.test.ts`
 * rewrites it), so codes and docs never drift. And production bundles carry the codes only: the
 * texts are in a development bundle and in no production one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CORE_MESSAGES } from '../../packages/core/src/messages';
import { DELIVERY_MESSAGES } from '../../packages/delivery/src/messages';
import { BRAZE_MESSAGES } from '../../packages/kit-braze/src/braze-messages';
import { CLEVERTAP_MESSAGES } from '../../packages/kit-clevertap/src/messages';
import { SNOWPLOW_MESSAGES } from '../../packages/kit-snowplow/src/messages';
import type { MessageTexts } from '../../packages/core/src/message-format';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOC = `${root}docs/messages.md`;

/** Every package's table, in code order (each package has its own range of codes). */
const TABLES: ReadonlyArray<readonly [pkg: string, texts: MessageTexts]> = [
  ['@sessionhub/core', CORE_MESSAGES],
  ['@sessionhub/delivery', DELIVERY_MESSAGES],
  ['@sessionhub/kit-braze', BRAZE_MESSAGES],
  ['@sessionhub/kit-clevertap', CLEVERTAP_MESSAGES],
  ['@sessionhub/kit-snowplow', SNOWPLOW_MESSAGES],
];

const id = (code: number): string => `SH${String(code).padStart(3, '0')}`;
/** A text with its values shown as {1}, {2}, … */
const template = (text: (...values: never[]) => string): string =>
  (text as (...v: string[]) => string)(...Array.from({ length: text.length }, (_, i) => `{${i + 1}}`));

function renderDoc(): string {
  const out = [
    '# Warning and error codes',
    '',
    '<!-- Generated from the packages\' message tables by docs/tools/messages.test.ts: UPDATE_MESSAGES=1 npx vitest run docs/tools/messages.test.ts -->',
    '',
    'Development builds print every warning and setup error in full. Production builds (a bundler',
    'defines `process.env.NODE_ENV` as `"production"`, or the runtime has no `process` at all) leave',
    'the texts out to save bytes and print the code, the values the message names, and a link here:',
    '',
    '```text',
    '[sessionhub] SH048 (255; a string of 300 characters) https://github.com/sessionhub/sessionhub/blob/main/docs/messages.md#sh048',
    '```',
    '',
    'reads, with `{1}` = 255 and `{2}` = a string of 300 characters, as SH048 below. A setup error',
    '(`SessionHubConfigError`, or a kit\'s config error) still names the option in its `option` field and',
    'in its message, which reads `SessionHub setup: option "logLevel" SH006 (…)` (a kit\'s: `SessionHub',
    'setup: brazeKit: option "apiKey" SH301 …`), the text below following the option\'s name.',
  ];
  for (const [pkg, texts] of TABLES) {
    out.push('', `## ${pkg}`);
    for (const [code, text] of Object.entries(texts)) out.push('', `### ${id(Number(code))}`, '', '```text', template(text), '```');
  }
  return out.join('\n') + '\n';
}

/**
 * The literal parts of every text (runs of at least 16 printable ASCII characters of its source's
 * string literals, between interpolations), as a bundle would hold them.
 */
function fragments(): string[] {
  const out: string[] = [];
  for (const [, texts] of TABLES) {
    for (const text of Object.values(texts)) {
      const body = String(text).slice(String(text).indexOf('=>') + 2);
      for (const part of body.split(/\$\{[^}]*\}|[^\x20-\x7e]|["'`\\]|\s\+\s/)) if (part.trim().length >= 16) out.push(part);
    }
  }
  return out;
}

/** The browser app of the size bench (createBrowserHub + the kits), bundled from the sources as `pnpm size` does. */
async function appBundle(nodeEnv: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "export { createBrowserHub } from '@sessionhub/core/browser';",
        "export { createHub } from '@sessionhub/core';",
        "export { brazeKit } from '@sessionhub/kit-braze';",
        "export { clevertapKit } from '@sessionhub/kit-clevertap';",
        "export { snowplowKit } from '@sessionhub/kit-snowplow';",
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    write: false,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    conditions: ['@sessionhub/source'],
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('warning and error codes', () => {
  it('are listed in docs/messages.md with their full texts, each code once', () => {
    const codes = TABLES.flatMap(([, texts]) => Object.keys(texts).map(Number));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => Number.isSafeInteger(c) && c > 0 && c < 1000)).toBe(true);
    const doc = renderDoc();
    if (process.env.UPDATE_MESSAGES) writeFileSync(DOC, doc);
    expect(readFileSync(DOC, 'utf8')).toBe(doc);
  });

  it('leave every text out of a production bundle, and keep them in a development one', async () => {
    const parts = fragments();
    expect(parts.length).toBeGreaterThan(50);
    const [production, development] = [await appBundle('production'), await appBundle('development')];
    expect(parts.filter((p) => !development.includes(p))).toEqual([]);
    expect(parts.filter((p) => production.includes(p))).toEqual([]);
    expect(production).toMatch(/docs\/messages\.md/);
  }, 60_000);
});
