/**
 * The vendor collectors as a loopback HTTP server (node:http), for the demo and for examples that run
 * as real processes or in a browser page. Import from `@sessionhub/testing/server` (Node only).
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CORS_HEADERS, createCollector, type Collector, type FailNextOptions } from './collector';
import type { Fault, FaultSettings } from './fault';
import type { VendorName } from './vendor-routes';

export type { CollectedRequest, Collector, FailNextOptions } from './collector';
export type { Fault, FaultSettings } from './fault';
export type { VendorName } from './vendor-routes';

/** Options of {@link startCollectorServer}. */
export interface CollectorServerOptions extends FaultSettings {
  /** Port on 127.0.0.1; default 0 (any free port). */
  readonly port?: number;
}

/**
 * A running collector server on 127.0.0.1. Besides the vendor paths it answers (CORS-enabled):
 * - `GET /__collector/requests[?vendor=braze]` — the recorded requests, JSON;
 * - `POST /__collector/reset` — forget requests and faults;
 * - `POST /__collector/faults` — body: {@link FaultSettings} (random faults from now on);
 * - `POST /__collector/fail-next` — body: `{ fault, times?, vendor? }` (scripted faults).
 */
export interface CollectorServer {
  /** `http://127.0.0.1:<port>`: the base URL to give kits as their endpoint. */
  readonly url: string;
  readonly port: number;
  /** The same collector, for in-process use. */
  readonly collector: Collector;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

/** Requests larger than this are refused (413), so a runaway client cannot fill the memory. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Starts the collectors on 127.0.0.1. */
export function startCollectorServer(options: CollectorServerOptions = {}): Promise<CollectorServer> {
  const collector = createCollector(options);
  const server = createServer((req, res) => {
    void route(collector, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        collector,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function route(collector: Collector, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (method === 'OPTIONS') {
    // Preflight: allow whatever headers the page asks for (the vendors' X-Braze-*, X-CleverTap-* …).
    res.writeHead(204, {
      ...CORS_HEADERS,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-max-age': '600',
    });
    return void res.end();
  }
  const body = await readBody(req);
  if (body === undefined) return send(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });

  if (url.pathname.startsWith('/__collector/')) return control(collector, method, url, body, res);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const pending = collector.handle({ method, url: `http://127.0.0.1:${req.socket.localPort}${req.url ?? '/'}`, headers, body }, abort.signal);
  if (!pending) return send(res, 404, { error: `no collector at ${method} ${url.pathname}` });
  const answer = await pending;
  if (answer.kind === 'network-error') return void req.socket.destroy();
  if (res.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.status === 204 || answer.status === 304 ? undefined : answer.body);
}

function control(collector: Collector, method: string, url: URL, body: string, res: ServerResponse): void {
  const action = `${method} ${url.pathname}`;
  try {
    switch (action) {
      case 'GET /__collector/requests': {
        const vendor = url.searchParams.get('vendor') as VendorName | null;
        return send(res, 200, collector.received(vendor ?? undefined));
      }
      case 'POST /__collector/reset':
        collector.reset();
        return send(res, 200, { ok: true });
      case 'POST /__collector/faults':
        collector.setFaults(JSON.parse(body || '{}') as FaultSettings);
        return send(res, 200, { ok: true });
      case 'POST /__collector/fail-next': {
        const { fault, ...options } = JSON.parse(body) as { fault: Fault } & FailNextOptions;
        if (!fault || typeof fault !== 'object') throw new Error('body needs a fault, e.g. {"fault":{"type":"status","status":503}}');
        collector.failNext(fault, options);
        return send(res, 200, { ok: true });
      }
      default:
        return send(res, 404, { error: `unknown control ${action}` });
    }
  } catch (error) {
    send(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
