// `auditline logs stats [hours]`: event statistics, request totals and the
// seed's traffic metrics (GET /logs/events and GET /logs/metrics).
import type { EventStats, Metrics } from '../../extensions/query-api/responses.js';
import { QueryClient } from './client.js';
import {
  COMMON_OPTIONS,
  COMMON_USAGE,
  CliError,
  defaultIo,
  EXIT,
  guard,
  parseCommandArgs,
  type Io,
  type LogsCommand,
} from './command.js';

const usage = `Usage: auditline logs stats [hours] [--hostname HOST] [--json]

Prints event counts, request totals by status and error counts over the last
[hours] (default 24), then requests per second, error rate, p50/p95/p99 response
time and unique visitors over the same window (Redis).
  --hostname HOST  traffic figures for one proxy hostname only

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'stats',
  summary: 'event statistics, request totals and traffic metrics (Redis)',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values, positionals } = parseCommandArgs('stats', {
        args: argv,
        options: { ...COMMON_OPTIONS, hostname: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length > 1)
        throw new CliError(`auditline logs stats: expected at most one argument.\n\n${usage}`, EXIT.usage);
      const hours = positionals[0] ?? '24';
      const client = QueryClient.from(values, io);
      const [events, metrics] = await Promise.all([
        client.getJson<EventStats>('/logs/events', { hours }),
        client.getJson<Metrics>('/logs/metrics', { hours, hostname: values.hostname }),
      ]);
      if (values.json) {
        io.stdout.write(`${JSON.stringify({ ...events, metrics })}\n`);
        return EXIT.ok;
      }
      const out: string[] = [`Events in the last ${hours} h: ${events.total_events}`];
      const w = Math.max(0, ...events.events.map((e) => e.event.length));
      for (const e of events.events) out.push(`  ${e.event.padEnd(w)}  ${e.count}`);
      const byStatus = Object.entries(events.requests.by_status).sort(([a], [b]) => a.localeCompare(b));
      out.push(
        `Requests: ${events.requests.total}${byStatus.length ? ` (${byStatus.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}`,
      );
      const errors = Object.entries(events.errors).sort(([a], [b]) => a.localeCompare(b));
      if (errors.length) out.push(`Errors: ${errors.map(([s, n]) => `${s}: ${n}`).join(', ')}`);
      const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
      out.push(
        `Traffic${values.hostname ? ` of ${values.hostname}` : ''}: ${metrics.requests_per_second} requests/s, error rate ${(metrics.error_rate * 100).toFixed(2)}%, ` +
          `p50 ${ms(metrics.p50_response_time)}, p95 ${ms(metrics.p95_response_time)}, p99 ${ms(metrics.p99_response_time)}, ` +
          `${metrics.unique_visitors} unique visitors`,
      );
      io.stdout.write(`${out.join('\n')}\n`);
      return EXIT.ok;
    }),
};
