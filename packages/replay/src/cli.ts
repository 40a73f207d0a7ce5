#!/usr/bin/env node
/** The `sessionhub` command: compare, replay, generate. See `docs/compare.md`. */
import { main } from './cli-main';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
