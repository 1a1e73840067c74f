// `auditline logs alerts`: the alert rules of the `alerts` extension with
// their state, and the latest firings and resolutions (GET /api/alerts).
import type { AlertsBody } from '../../extensions/alerts/alerts.js';
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

const usage = `Usage: auditline logs alerts [--active] [--history N] [--json]

Prints each alert rule with its state (ok, pending, firing), its last value and
condition, then the latest firings and resolutions, oldest first (GET /api/alerts,
needs the "alerts" extension).
  --active         only rules that are firing, and no history
  --history N      at most this many recent events (default 20; 0 for none)

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'alerts',
  summary: 'alert rules with their state, and recent firings and resolutions',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values, positionals } = parseCommandArgs('alerts', {
        args: argv,
        options: { ...COMMON_OPTIONS, active: { type: 'boolean' }, history: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length > 0)
        throw new CliError(`auditline logs alerts: takes no arguments.\n\n${usage}`, EXIT.usage);
      const limit = values.history === undefined ? 20 : Number(values.history);
      if (!Number.isInteger(limit) || limit < 0)
        throw new CliError('auditline logs alerts: --history must be a non-negative integer.', EXIT.usage);
      const body = await QueryClient.from(values, io).getJson<AlertsBody>('/api/alerts');
      const rules = values.active ? body.active : body.rules;
      const history = values.active || limit === 0 ? [] : body.history.slice(-limit);
      if (values.json) {
        for (const r of rules) io.stdout.write(`${JSON.stringify({ type: 'rule', ...r })}\n`);
        for (const e of history) io.stdout.write(`${JSON.stringify({ type: 'event', ...e })}\n`);
        return EXIT.ok;
      }
      const out: string[] = [];
      if (body.rules.length === 0) out.push('No alert rules are configured.');
      else if (rules.length === 0) out.push('No alert is firing.');
      const w = Math.max(0, ...rules.map((r) => r.rule.length));
      for (const r of rules) {
        const value = r.value === null ? 'n/a' : String(Math.round(r.value * 1000) / 1000);
        out.push(
          `${r.rule.padEnd(w)}  ${r.state.toUpperCase().padEnd(7)}  value ${value} (fires when ${r.condition}), since ${r.since}, fired ${r.fired_count}×`,
        );
      }
      if (history.length > 0) {
        out.push('', 'Recent events:');
        for (const e of history) out.push(`  ${e.at}  ${e.status.toUpperCase().padEnd(8)}  ${e.message}`);
      }
      io.stdout.write(`${out.join('\n')}\n`);
      return EXIT.ok;
    }),
};
