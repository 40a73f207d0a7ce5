/**
 * The example page: a browser hub with the Braze, Snowplow and CleverTap kits, posting to the local
 * collectors, with buttons for the main API and a live view of the session and of what each vendor
 * received. Settings come from the query string (the example server fills them in):
 * `collector` (collectors' base URL), `timeout` and `foregroundTimeout` (seconds), `flush` (ms an
 * event may wait before its kit sends it).
 */
import type { Logger, SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { vendorViews, type ReceivedRequest, type VendorSessions } from './vendor-view';

const params = new URLSearchParams(location.search);
const collector = params.get('collector') ?? `${location.protocol}//${location.hostname}:4318`;
const seconds = (name: string): number | undefined => {
  const v = Number(params.get(name));
  return Number.isFinite(v) && v >= 1 ? v : undefined;
};
const flushIntervalMs = Number(params.get('flush') ?? 1000);

const $ = <T extends Element = HTMLElement>(selector: string): T => document.querySelector(selector) as T;
const input = (id: string): string => ($<HTMLInputElement>(`#${id}`)).value.trim();

const tabLog: string[] = [];
const log = (line: string): void => {
  tabLog.push(`${new Date().toISOString().slice(11, 23)}  ${line}`);
  if (tabLog.length > 60) tabLog.shift();
  $('#log').textContent = tabLog.slice().reverse().join('\n');
};

const warnings: string[] = [];
const pageLogger: Logger = {
  debug: (...a: unknown[]) => console.debug(...a),
  info: (...a: unknown[]) => console.info(...a),
  warn(...a: unknown[]) {
    console.warn(...a);
    warnings.push(a.map(String).join(' '));
    const box = $('#warnings');
    box.style.display = 'block';
    box.textContent = warnings.slice(-3).join('\n');
  },
  error: (...a: unknown[]) => console.error(...a),
};

const hub: SessionHub = createBrowserHub({
  sessionTimeout: seconds('timeout'),
  foregroundTimeout: seconds('foregroundTimeout') ?? seconds('timeout'),
  logger: pageLogger,
  kits: [
    brazeKit({ apiKey: 'example-app-api-key', baseUrl: collector, flushIntervalMs }),
    snowplowKit({
      collectorUrl: collector,
      appId: 'sessionhub-web-example',
      platform: 'web',
      sessionEvents: {
        start: 'iglu:dev.sessionhub.example/session_start/jsonschema/1-0-0',
        end: 'iglu:dev.sessionhub.example/session_end/jsonschema/1-0-0',
      },
      delivery: { flushIntervalMs },
    }),
    // The example account has no Session Analytics: the kit concludes each session itself.
    clevertapKit({ accountId: 'TEST-123-4567', token: 'example-token', endpoint: collector, sessionConcluded: true, delivery: { flushIntervalMs } }),
  ],
});

hub.on('sessionStart', (s) => log(`▶ session ${s.sessionIndex} started here (${s.trigger})`));
hub.on('sessionEnd', (s) => log(`■ session ${s.sessionIndex} ended here (${s.reason}), ${(s.duration / 1000).toFixed(1)} s`));
hub.on('event', (e) => log(`event ${e.name} #${e.eventIndex}`));
hub.on('userChange', (u) => log(`user ${u.previousUserId ?? '(anonymous)'} → ${u.userId ?? '(logged out)'}`));
hub.on('foreground', () => log('foreground'));
hub.on('background', () => log('background'));

// `label` travels to all three vendors (Snowplow's structured events carry category, label, property, value).
$('#log-event').addEventListener('click', () => hub.logEvent(input('event-name') || 'clicked', { label: 'button' }));
$('#set-attribute').addEventListener('click', () => hub.setSessionAttribute(input('attr-key'), input('attr-value')));
$('#increment-attribute').addEventListener('click', () => hub.incrementSessionAttribute(input('attr-key')));
$('#change-user').addEventListener('click', () => hub.setUser(input('user-id') || null));
$('#new-session').addEventListener('click', () => hub.startNewSession());
$('#end-session').addEventListener('click', () => hub.endSession());

const field = (name: string, value: string): void => {
  const el = $(`#session [data-field="${name}"]`);
  if (el.textContent !== value) el.textContent = value;
};
const time = (t: number): string => new Date(t).toISOString().slice(11, 19);

function renderSession(): void {
  const s = hub.getSession();
  field('id', s?.id ?? '— (none live)');
  field('index', s ? String(s.index) : '—');
  field('start', s ? time(s.startTime) : '—');
  field('lastActivity', s ? time(s.lastActivity) : '—');
  field('eventIndex', s ? String(s.eventIndex) : '—');
  field('attributes', s ? JSON.stringify(s.attributes) : '—');
  field('user', hub.getUser() ?? '(anonymous)');
  field('device', hub.getDeviceId() ?? '—');
  field('timeouts', `${hub.getSessionTimeout()} s`);
  field('clevertapId', s ? (liveCleverTapId ?? '—') : '—');
  document.body.dataset.sessionId = s?.id ?? '';
}

function renderVendor(name: string, view: VendorSessions, current: string | null): void {
  const section = $(`.vendor[data-vendor="${name}"]`);
  section.dataset.sessions = view.sessions.join(' ');
  section.dataset.starts = view.starts.join(' ');
  section.dataset.ends = view.ends.join(' ');
  section.dataset.events = view.events.join(' ');
  const count = `${view.starts.length} session start(s), ${view.ends.length} end(s), ${view.events.length} event(s)`;
  const countEl = section.querySelector('.count') as HTMLElement;
  if (countEl.textContent !== count) countEl.textContent = count;
  const items = view.sessions.map((id) => `<li${id === current ? ' class="current"' : ''}>${id}${view.ends.includes(id) ? ' (ended)' : ''}</li>`).join('');
  const list = section.querySelector('ol') as HTMLElement;
  if (list.innerHTML !== items) list.innerHTML = items;
}

/** The CleverTap session id of the live session, as CleverTap received it. */
let liveCleverTapId: string | null = null;

async function pollCollectors(): Promise<void> {
  try {
    const response = await fetch(`${collector}/__collector/requests`);
    const views = vendorViews((await response.json()) as ReceivedRequest[]);
    const s = hub.getSession();
    renderVendor('braze', views.braze, s?.id ?? null);
    renderVendor('snowplow', views.snowplow, s?.id ?? null);
    // CleverTap's session id is the start second made strictly increasing by the kit (two sessions
    // in one second get consecutive ids), so the live one is the highest id CleverTap received.
    liveCleverTapId = s ? (views.clevertap.sessions.reduce<string | null>((a, id) => (a === null || Number(id) > Number(a) ? id : a), null)) : null;
    renderVendor('clevertap', views.clevertap, liveCleverTapId);
    field('clevertapId', liveCleverTapId ?? '—');
    document.body.dataset.polled = String(Date.now());
  } catch (error) {
    console.debug('collectors not reachable', error);
  }
}

// For scripted use (the end-to-end tests) and the console.
(window as unknown as { sessionHub: SessionHub }).sessionHub = hub;

void hub.start().then(() => {
  document.body.dataset.ready = 'true';
  renderSession();
  void pollCollectors();
  setInterval(renderSession, 250);
  setInterval(() => void pollCollectors(), 400);
});
