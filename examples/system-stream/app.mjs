// An app that logs to a file, the way many services do: plain text lines
// mixed with JSON lines (one of which carries a customer's email). It imports
// nothing from Auditline; the collector's filelog receiver tails the file.
//
//   node app.mjs                      a line every 500 ms to ./app.log until Ctrl-C
//   node app.mjs --count 8            8 lines, then exit
//
// Environment: APP_LOG (./app.log), INTERVAL_MS (500).
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';

const file = resolve(process.env.APP_LOG ?? 'app.log');
const interval = Number(process.env.INTERVAL_MS ?? 500);
const countArg = process.argv.indexOf('--count');
const count = countArg >= 0 ? Number(process.argv[countArg + 1]) : Infinity;

/** The app's four kinds of line, in turn. */
function line(n) {
  const now = new Date().toISOString();
  switch (n % 4) {
    case 0:
      return `${now} INFO worker-${n % 3} started job ${n}`;
    case 1:
      return JSON.stringify({
        time: now,
        level: 'INFO',
        'event.name': 'order_placed',
        'session.id': `s-${n % 5}`,
        order_id: n,
        amount: 42.5,
      });
    case 2:
      return JSON.stringify({
        time: now,
        level: 'WARN',
        'event.name': 'password_reset',
        message: 'reset link sent to alice@example.com',
        email: 'alice@example.com',
      });
    default:
      return `${now} ERROR payment gateway timeout after 3 attempts (job ${n})`;
  }
}

console.log(`Writing to ${file}${Number.isFinite(count) ? ` (${count} lines)` : ''}; Ctrl-C stops.`);
for (let n = 0; n < count; n++) {
  appendFileSync(file, `${line(n)}\n`);
  if (n + 1 < count) await new Promise((r) => setTimeout(r, interval));
}
