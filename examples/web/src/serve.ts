/** `pnpm example:web`: serves the example page and the collectors until stopped (Ctrl-C). */
import { startExample } from './example-server';

const port = Number(process.env.PORT ?? 8080);
const example = await startExample({ port, collectorPort: port + 1 });
console.log(`SessionHub web example: ${example.pageUrl({ timeout: 60 })}`);
console.log(`(open it in two tabs; collectors at ${example.collector.url})`);
const stop = (): void => void example.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
