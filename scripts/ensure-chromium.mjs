#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the browser end-to-end tests, which drive
// it with playwright-core: never a browser downloaded by Playwright. On a fresh Debian machine with
// only Node and npm, as root, it installs the `chromium` package with apt-get (quietly); otherwise it
// fails with what to do.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

if (executable(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = executable('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.error(
    `ensure-chromium: ${CHROMIUM} is missing. The browser tests run Debian's Chromium; install it with\n` +
      '  sudo apt-get update && sudo apt-get install -y chromium\n' +
      (hasApt ? '' : '(this is not a Debian-like system: install Chromium so that /usr/bin/chromium runs it)\n'),
  );
  process.exit(1);
}

console.log('ensure-chromium: installing Debian’s chromium package (apt-get)…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
} catch (error) {
  console.error(`ensure-chromium: apt-get could not install chromium (${error.message})`);
  process.exit(1);
}
if (!executable(CHROMIUM)) {
  console.error(`ensure-chromium: apt-get finished but ${CHROMIUM} is still missing`);
  process.exit(1);
}
console.log(`ensure-chromium: ${CHROMIUM} is ready`);
