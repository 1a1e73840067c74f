// The `auditline` command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { factories } from '../components.js';
import { describeOptions } from '../config/describe.js';
import { runCollector, validateConfig } from './run.js';

const HELP = `Usage:
  auditline --config FILE              run the collector (also: auditline run --config FILE)
  auditline validate --config FILE     check a config and report every problem
  auditline components                 list every component type with its kind
  auditline components TYPE            list every option of one component, with defaults
  auditline read FILE [--follow] [--json]
                                       print a MessagePack audit file
  auditline logs <command> ...         query the collector's query API (auditline logs help)
  auditline verify FILE (--public-key K | --key K)
                                       check an audit file against its signed digest
  auditline keygen [--algorithm ed25519|hmac-sha256] --out DIR
                                       make a key for the integrity option
  auditline --version | --help
`;

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await dispatch(argv);
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
      if (rest[0] === '--markdown') { process.stdout.write(optionReference()); return 0; }
      return rest.length > 0 ? showComponent(rest[0]!) : listComponents();
    case 'validate':
      return withConfig(rest, 'validate', (f) => validateConfig(f));
    case 'run':
      return withConfig(rest, 'run', (f) => runCollector(f));
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
      if (cmd.startsWith('--config')) return withConfig(argv, 'run', (f) => runCollector(f));
      process.stderr.write(`auditline: unknown command "${cmd}".\n\n${HELP}`);
      return 2;
  }
}

async function withConfig(argv: string[], what: string, fn: (file: string) => number | Promise<number>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`auditline ${what}: ${(err as Error).message}\n`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(`auditline ${what}: --config FILE is required.\n`);
    return 2;
  }
  return fn(values.config);
}

function listComponents(): number {
  const rows = factories.map((f) => [f.kind, [f.type, ...(f.aliases ?? [])].join(', '), f.description]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  process.stdout.write(rows.map((r) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`).join('\n') + '\n');
  return 0;
}

function showComponent(type: string): number {
  const matches = factories.filter((f) => f.type === type || f.aliases?.includes(type));
  if (matches.length === 0) {
    process.stderr.write(`auditline components: no component type "${type}" (see auditline components).\n`);
    return 1;
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
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `auditline ${pkg.version}`;
}
