/**
 * The scenarios both sides run, step by step, and how each side runs a step. Times are those of the
 * pages' fake clocks, which start at the same instant on both sides.
 */
import { API_KEY, BASE_URL, settle, type Answer, type Side } from './pages';

/** One step of a scenario. */
export type Step =
  /** Braze: `initialize` + `openSession`; SessionHub: `createBrowserHub` + `start`. */
  | { readonly do: 'start' }
  | { readonly do: 'event'; readonly name: string; readonly properties?: Record<string, unknown> }
  /** Braze: `changeUser(id)`; SessionHub: `setUser(id)`. */
  | { readonly do: 'user'; readonly id: string }
  /** Braze: `requestImmediateDataFlush()`; SessionHub: `flush()`. */
  | { readonly do: 'flush' }
  /** Time passes: the fake clock runs its timers for `ms`. */
  | { readonly do: 'wait'; readonly ms: number }
  /** How the Braze endpoint answers from now on. */
  | { readonly do: 'answer'; readonly answer: Answer };

export interface Scenario {
  readonly name: string;
  /** Seconds of inactivity that end a session, on both sides. */
  readonly timeout: number;
  readonly steps: readonly Step[];
  /** Hub options of SessionHub's side, beyond the timeout. */
  readonly hub?: Record<string, unknown>;
}

const ALL_TYPES = {
  text: 'jazz',
  integer: 212,
  float: 3.25,
  negative: -7,
  yes: true,
  no: false,
  released: new Date('2019-05-01T10:20:30.456Z'),
  nested: { a: 1, b: 'two', c: [true, null] },
  list: ['x', 2, false],
  empty: '',
  none: null,
};

const LOGIN: readonly Step[] = [
  { do: 'start' },
  { do: 'wait', ms: 2000 },
  { do: 'event', name: 'before' },
  { do: 'wait', ms: 3000 },
  { do: 'user', id: 'user-42' },
  { do: 'wait', ms: 1000 },
  { do: 'event', name: 'after' },
  { do: 'wait', ms: 11_000 },
];

/**
 * The scenarios. Hub option `newSessionOnLogin: true` gives a sign-in Braze's behaviour (a new
 * session); the scenario "login, SessionHub's default" shows what Braze sees without it.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'anonymous session',
    timeout: 60,
    steps: [{ do: 'start' }, { do: 'wait', ms: 1500 }, { do: 'event', name: 'song_played' }, { do: 'wait', ms: 11_000 }],
  },
  {
    name: 'events with every property type',
    timeout: 60,
    steps: [{ do: 'start' }, { do: 'wait', ms: 500 }, { do: 'event', name: 'typed', properties: ALL_TYPES }, { do: 'event', name: 'bare' }, { do: 'flush' }],
  },
  { name: 'login', timeout: 60, hub: { newSessionOnLogin: true }, steps: LOGIN },
  { name: "login, SessionHub's default", timeout: 60, steps: LOGIN },
  {
    name: 'switch between two users',
    timeout: 60,
    hub: { newSessionOnLogin: true },
    steps: [
      { do: 'start' },
      { do: 'user', id: 'ada' },
      { do: 'wait', ms: 12_000 },
      { do: 'event', name: 'as_ada' },
      { do: 'wait', ms: 3000 },
      { do: 'user', id: 'grace' },
      { do: 'wait', ms: 1000 },
      { do: 'event', name: 'as_grace' },
      { do: 'wait', ms: 11_000 },
    ],
  },
  {
    name: 'timeout, then the lazy se',
    timeout: 15,
    steps: [{ do: 'start' }, { do: 'wait', ms: 12_000 }, { do: 'event', name: 'last' }, { do: 'wait', ms: 20_000 }, { do: 'event', name: 'next' }, { do: 'wait', ms: 11_000 }],
  },
  {
    name: "a session shorter than Braze's 10 s minimum",
    timeout: 10,
    steps: [{ do: 'start' }, { do: 'wait', ms: 2000 }, { do: 'event', name: 'short' }, { do: 'wait', ms: 20_000 }, { do: 'event', name: 'later' }, { do: 'wait', ms: 11_000 }],
  },
  {
    name: 'flush',
    timeout: 60,
    steps: [{ do: 'start' }, { do: 'wait', ms: 800 }, { do: 'event', name: 'one' }, { do: 'flush' }, { do: 'wait', ms: 700 }, { do: 'event', name: 'two' }, { do: 'flush' }],
  },
  {
    name: 'an error answer',
    timeout: 60,
    steps: [
      { do: 'answer', answer: { status: 200, body: '{"error":"invalid_api_key"}' } },
      { do: 'start' },
      { do: 'event', name: 'refused' },
      { do: 'flush' },
      { do: 'wait', ms: 2000 },
      { do: 'event', name: 'refused_too' },
      { do: 'flush' },
      { do: 'wait', ms: 2000 },
      { do: 'answer', answer: { status: 200, body: '{}' } },
      { do: 'event', name: 'accepted' },
      { do: 'flush' },
    ],
  },
];

/** Fake time moves in steps this long, the answers read after each: as a page sees them, within a second. */
const TICK_MS = 1000;

/** Runs a scenario on one side; every request is answered and read after each step and each tick. */
export async function runScenario(side: Side, scenario: Scenario, stepOf: typeof sdkStep): Promise<void> {
  for (const step of scenario.steps) {
    if (step.do == 'wait') {
      for (let left = step.ms; left > 0; left -= TICK_MS) {
        await side.page.clock.runFor(Math.min(TICK_MS, left));
        await settle(side);
      }
    } else {
      await stepOf(side, step, scenario);
      await settle(side);
    }
  }
}

/** Runs one step on Braze's SDK page. */
export async function sdkStep(side: Side, step: Step, scenario: Scenario): Promise<void> {
  const { page } = side;
  switch (step.do) {
    case 'start':
      return page.evaluate(
        ([key, baseUrl, timeout]) => {
          window.braze.initialize(key, { baseUrl, sessionTimeoutInSeconds: timeout });
          window.braze.openSession();
        },
        [API_KEY, BASE_URL, scenario.timeout] as const,
      );
    case 'event':
      return void (await page.evaluate(([name, p]) => window.braze.logCustomEvent(name, p), [step.name, step.properties] as const));
    case 'user':
      return page.evaluate((id) => window.braze.changeUser(id), step.id);
    case 'flush':
      return page.evaluate(() => window.braze.requestImmediateDataFlush());
    case 'wait':
      return page.clock.runFor(step.ms);
    case 'answer':
      side.answer = step.answer;
  }
}

/** Runs one step on SessionHub's page. */
export async function kitStep(side: Side, step: Step, scenario: Scenario): Promise<void> {
  const hubOptions = scenario.hub ?? {};
  const { page } = side;
  switch (step.do) {
    case 'start':
      return page.evaluate(
        async ([key, baseUrl, timeout, options]) => {
          const { createBrowserHub, brazeKit } = window.SessionHubTest;
          // Beside the kit, one that counts the event and user calls delivered (committed): settle()
          // waits for the steps' calls to be, as a page's commits wait for Web Locks (real time).
          window.calls = { made: 0, delivered: 0 };
          const delivered = (): void => void window.calls!.delivered++;
          const counter = { name: 'delivered', onEvent: delivered, onUserChange: delivered };
          window.hub = createBrowserHub({ ...options, sessionTimeout: timeout, foregroundTimeout: timeout, kits: [brazeKit({ apiKey: key, baseUrl }), counter] });
          await window.hub.start();
        },
        [API_KEY, BASE_URL, scenario.timeout, hubOptions] as const,
      );
    case 'event':
      return void (await page.evaluate(([name, p]) => (window.calls!.made++, window.hub.logEvent(name, p)), [step.name, step.properties ?? {}] as const));
    case 'user':
      // Every scenario's user step changes the user: one delivered user change each.
      return void (await page.evaluate((id) => (window.calls!.made++, window.hub.setUser(id)), step.id));
    case 'flush':
      // Not awaited in the page: its answer comes only when the test releases it. Counted instead:
      // settle() waits for it to finish (its commit and its request start asynchronously, after
      // Web Locks answer, so a request not started yet must not look like no request at all).
      return page.evaluate(() => {
        window.flushing = (window.flushing ?? 0) + 1;
        void window.hub.flush().finally(() => (window.flushing = (window.flushing ?? 1) - 1));
      });
    case 'wait':
      return page.clock.runFor(step.ms);
    case 'answer':
      side.answer = step.answer;
  }
}

declare global {
  interface Window {
    braze: typeof import('@braze/web-sdk');
    SessionHubTest: { createBrowserHub: typeof import('@sessionhub/core/browser').createBrowserHub; brazeKit: typeof import('@sessionhub/kit-braze').brazeKit };
    hub: import('@sessionhub/core').SessionHub;
    /** Set when the page's `hub.start()` has resolved (see `untilStarted`). */
    hubStarted: boolean;
    /** The page's `hub.flush()` calls not finished yet (see `settle`). */
    flushing?: number;
    /** The kit page's event and user calls: made by steps, and delivered to the kits (see `settle`). */
    calls?: { made: number; delivered: number };
  }
}
