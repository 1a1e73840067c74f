// The `auditline` command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { factories } from '../components.js';
import { describeOptions } from '../config/describe.js';
import { ConfigError } from '../config/load.js';
import { escapeControl } from '../config/safe-text.js';
import { CONFIG_USAGE, parseConfigArgs, type ConfigArgs } from './config-args.js';
import { handleStdoutEpipe } from './epipe.js';
import { takeOutputOptions } from './output-options.js';
import { printConfig } from './print-config.js';
import { runCollector, validateConfig } from './run.js';

const HELP = `Usage:
  auditline --config FILE              run the collector (also: auditline run -c FILE)
  auditline validate --config FILE [--json]
                                       check a config and report every problem
  auditline print-config --config FILE [--json]
                                       print the merged config, credentials shown as [REDACTED]
  auditline components [TYPE] [--json] list every component type, or every option of one
  auditline read FILE [--follow] [-n N] [--json]
                                       print a MessagePack audit file
  auditline logs <command> ...         query the collector's query API (auditline logs help)
  auditline verify FILE|DB (--public-key K | --key K)
                                       check an audit file or database against its signed hash chain
  auditline keygen [--algorithm ed25519|hmac-sha256] --out DIR
                                       make a key for the integrity option
  auditline --version | --help

Config options (run, validate, print-config):
${CONFIG_USAGE}

Output options (every command):
  --color[=WHEN]        colour: auto (a terminal), always, never; FORCE_COLOR and NO_COLOR also apply
  --local               times in local time with the zone offset (default: UTC, marked Z)
`;

export async function main(argv: string[]): Promise<void> {
  handleStdoutEpipe();
  let args: string[];
  try {
    args = takeOutputOptions(argv);
  } catch (err) {
    process.stderr.write(`auditline: ${(err as Error).message}.\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await dispatch(args);
}

async function dispatch(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return cmd === undefined ? 1 : 0;
    case '-v':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'components':
      return components(rest);
    case 'validate':
      return withConfig(rest, 'validate', true, (a) => validateConfig(a.sources, a.json));
    case 'print-config':
      return withConfig(rest, 'print-config', true, (a) => printConfig(a.sources, a.json));
    case 'run':
      return withConfig(rest, 'run', false, (a) => runCollector(a.sources));
    case 'read': {
      const { runRead } = await import('./read.js');
      return runRead(rest);
    }
    case 'verify': {
      const { runVerify } = await import('./verify.js');
      return runVerify(rest);
    }
    case 'keygen': {
      const { runKeygen } = await import('./keygen.js');
      return runKeygen(rest);
    }
    case 'logs': {
      const { runLogs } = await import('./logs/index.js');
      return runLogs(rest);
    }
    default:
      if (/^(-c|--config|--set)(=|$)/.test(cmd)) return withConfig(argv, 'run', false, (a) => runCollector(a.sources));
      process.stderr.write(`auditline: unknown command "${escapeControl(cmd)}".\n\n${HELP}`);
      return 2;
  }
}

async function withConfig(
  argv: string[],
  what: string,
  json: boolean,
  fn: (a: ConfigArgs) => number | Promise<number>,
): Promise<number> {
  let args: ConfigArgs;
  try {
    args = parseConfigArgs(argv, { json });
  } catch (err) {
    process.stderr.write(`auditline ${what}: ${(err as Error).message}.\n\nOptions:\n${CONFIG_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}`);
    return 0;
  }
  try {
    return await fn(args);
  } catch (err) {
    // A --set or source problem found before validation.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function components(argv: string[]): number {
  let values: { json?: boolean; markdown?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, markdown: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`auditline components: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.markdown) {
    process.stdout.write(optionReference());
    return 0;
  }
  if (positionals.length > 1) {
    process.stderr.write('auditline components: at most one TYPE.\n');
    return 2;
  }
  return positionals.length === 1
    ? showComponent(positionals[0]!, values.json === true)
    : listComponents(values.json === true);
}

function listComponents(json: boolean): number {
  if (json) {
    const list = factories.map((f) => ({
      kind: f.kind,
      type: f.type,
      aliases: f.aliases ?? [],
      description: f.description,
    }));
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  const rows = factories.map((f) => [f.kind, [f.type, ...(f.aliases ?? [])].join(', '), f.description]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  process.stdout.write(rows.map((r) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`).join('\n') + '\n');
  return 0;
}

function showComponent(type: string, json: boolean): number {
  const matches = factories.filter((f) => f.type === type || f.aliases?.includes(type));
  if (matches.length === 0) {
    process.stderr.write(
      `auditline components: no component type "${escapeControl(type)}" (see auditline components).\n`,
    );
    return 1;
  }
  if (json) {
    const list = matches.map((f) => ({
      kind: f.kind,
      type: f.type,
      description: f.description,
      options: describeOptions(f.config),
    }));
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  for (const f of matches) {
    process.stdout.write(`${f.kind} ${f.type}: ${f.description}\n`);
    const rows = describeOptions(f.config);
    const w = Math.max(3, ...rows.map((r) => r.key.length));
    const ws = Math.max(5, ...rows.map((r) => r.shape.length));
    for (const r of rows) process.stdout.write(`  ${r.key.padEnd(w)}  ${r.shape.padEnd(ws)}  ${r.default}\n`);
  }
  return 0;
}

/** Markdown tables of every component's options (the README's option reference). */
export function optionReference(): string {
  let out = '';
  for (const f of factories) {
    out += `\n### ${f.kind} \`${f.type}\`\n\n${f.description}\n\n| option | type | default |\n|---|---|---|\n`;
    for (const r of describeOptions(f.config)) {
      out += `| \`${r.key}\` | ${r.shape.replaceAll('|', '\\|')} | ${r.default === '' ? '' : `\`${r.default}\``} |\n`;
    }
  }
  return out;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `auditline ${pkg.version}`;
}
