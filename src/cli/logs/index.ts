// `auditline logs <command>`: the command-line face of the query API. Each
// command lives in its own file and exports `command`; add new ones to
// `logsCommands` (help and dispatch follow from the list).
import { command as audit } from './audit.js';
import { defaultIo, EXIT, type Io, type LogsCommand } from './command.js';
import { command as follow } from './follow.js';
import { command as job } from './job.js';
import { command as search } from './search.js';
import { command as ip } from './ip.js';
import { command as host } from './host.js';
import { command as user } from './user.js';
import { command as session } from './session.js';
import { command as method } from './method.js';
import { command as status } from './status.js';
import { command as slow } from './slow.js';
import { command as path } from './path.js';
import { command as paths } from './paths.js';
import { command as errors } from './errors.js';
import { command as stats } from './stats.js';
import { command as clear } from './clear.js';
import { command as oauth } from './oauth.js';
import { command as oauthDebug } from './oauth-debug.js';
import { command as oauthFlow } from './oauth-flow.js';
import { command as oauthUser } from './oauth-user.js';
import { command as oauthClient } from './oauth-client.js';
import { command as errorsDebug } from './errors-debug.js';
import { command as alerts } from './alerts.js';
import { command as system } from './system.js';

export type { Io, LogsCommand } from './command.js';

export const logsCommands: LogsCommand[] = [audit, job, follow];
// Over the Redis exporter's /logs routes.
logsCommands.push(search, ip, host, user, session, method, status, slow, path, paths, errors, stats, clear);
// OAuth activity and error debugging over the same routes (issue #13 item 2).
logsCommands.push(oauth, oauthDebug, oauthFlow, oauthUser, oauthClient, errorsDebug);
// The alerts extension's state (issue #13 item 3).
logsCommands.push(alerts);
// The filelog receiver's lines, live (issue #13 item 1).
logsCommands.push(system);

export function logsHelp(): string {
  const w = Math.max(...logsCommands.map((c) => c.name.length));
  return `Usage: auditline logs <command> [options]

Commands:
${logsCommands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Every command takes --url (default $AUDITLINE_URL, else http://localhost:8080),
--token (default $AUDITLINE_TOKEN) and --json. Run "auditline logs <command> --help"
for a command's options.
`;
}

export async function runLogs(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(logsHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = logsCommands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`auditline logs: unknown command "${name}".\n\n${logsHelp()}`);
    return EXIT.usage;
  }
  return cmd.run(rest, io);
}
