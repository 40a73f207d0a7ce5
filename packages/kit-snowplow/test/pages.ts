/**
 * Test helpers for the kit's Chromium tests: page scripts bundled from the real packages (the
 * pinned `@snowplow/browser-tracker`, SessionHub from source), and the requests a page sent read as
 * the Iglu validator reads requests.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Request } from 'playwright-core';
import type { HttpRequest } from '@sessionhub/delivery';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * A page script: `contents` (TypeScript, imports resolved from this directory) bundled for the
 * browser. `development`: the kit's warnings in full, as in an app's development build (else, with
 * no `process` in the page, their production form: the SH code and the values).
 */
export async function bundle(contents: string, options: { development?: boolean } = {}): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: HERE, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    conditions: ['@sessionhub/source'],
    ...(options.development ? { define: { 'process.env.NODE_ENV': '"development"' } } : {}),
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A request Chromium sent, as the validator reads requests. */
export const asHttp = (r: Request): HttpRequest => ({
  url: r.url(),
  method: r.method() as HttpRequest['method'],
  headers: { 'content-type': r.headers()['content-type'] ?? '' },
  body: r.postData() ?? '',
});
