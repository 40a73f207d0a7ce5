/**
 * The React Native app of the runtime tests (hermes-app.ts) as the Hermes command-line VM runs it:
 * React Native's globals first, then the app; it prints its report as one JSON line.
 */
import { installReactNativeGlobals } from '../../../scripts/hermes-host';
import { runApp } from './hermes-app';

declare const print: (line: string) => void;
installReactNativeGlobals();
runApp().then(
  // (With the calls of a `btoa` the test installed, if any.)
  (report) => print(JSON.stringify({ ...report, btoaCalls: (globalThis as { btoaCalls?: number }).btoaCalls })),
  (error: unknown) => print(JSON.stringify({ fatal: String((error as Error)?.stack ?? error) })),
);
