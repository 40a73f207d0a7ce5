/**
 * Serves the example page on 127.0.0.1 (node:http) with the vendors' collectors beside it: the page
 * is bundled from source with esbuild when the server starts, so no build step is needed first.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startCollectorServer, type CollectorServer } from '@sessionhub/testing/server';

/** Options of {@link startExample}. */
export interface ExampleOptions {
  /** Port of the page; default 0 (any free port). */
  readonly port?: number;
  /** Port of the collectors; default 0 (any free port). */
  readonly collectorPort?: number;
}

/** Query-string settings of the page (see src/page.ts). */
export interface PageSettings {
  /** Inactivity timeout, seconds (foreground and background). Default: the browser default, 1800. */
  readonly timeout?: number;
  /** Foreground inactivity timeout, seconds, when it should differ. */
  readonly foregroundTimeout?: number;
  /** How long an event may wait before its kit sends it, ms. Default 1000. */
  readonly flush?: number;
}

/** A running example: the page's server and the collectors. */
export interface ExampleServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly collector: CollectorServer;
  /** The page's URL with the collectors and `settings` in its query string. */
  pageUrl(settings?: PageSettings): string;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundles the page (ES2020, one file) from source. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/page.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    // Workspace packages resolve to their TypeScript sources (as in the tests); others to their browser builds.
    conditions: ['@sessionhub/source', 'module'],
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** Starts the collectors and the page server. */
export async function startExample(options: ExampleOptions = {}): Promise<ExampleServer> {
  const [script, html, collector] = await Promise.all([
    bundlePage(),
    readFile(`${root}index.html`, 'utf8'),
    startCollectorServer({ port: options.collectorPort ?? 0 }),
  ]);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(html);
    } else if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(script);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    collector,
    pageUrl(settings = {}) {
      const query = new URLSearchParams({ collector: collector.url });
      for (const [key, value] of Object.entries(settings)) if (value !== undefined) query.set(key, String(value));
      return `${url}?${query}`;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await collector.close();
    },
  };
}
