import { Console } from 'node:console';
import type { Logger } from '../logger';

/**
 * A console that writes every level to stderr. Node's own `console.debug` and `console.info` write to
 * stdout, which would mix the hub's lines into a CLI's output (`mycli --json | jq`); the Node preset
 * logs here instead.
 */
export function stderrLogger(): Logger {
  return new Console({ stdout: process.stderr, stderr: process.stderr });
}
