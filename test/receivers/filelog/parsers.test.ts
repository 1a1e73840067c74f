import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FilelogReceiver } from '../../../src/receivers/filelog/receiver.js';
import { tempDir } from '../../helpers/collector.js';
import { Capture, cleanup, configIssues, hostWith, receiver, waitFor } from './helpers.js';

const dirs: string[] = [];
const running: FilelogReceiver[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.shutdown();
  cleanup(dirs);
});

async function readLines(raw: Record<string, unknown>, text: string, expected: number): Promise<Capture> {
  const d = tempDir('auditline-filelog-parse-');
  dirs.push(d);
  const file = join(d, 'app.log');
  writeFileSync(file, '');
  const c = new Capture();
  const r = receiver({ include: [file], start_at: 'beginning', ...raw }, c);
  running.push(r);
  await r.start(hostWith());
  appendFileSync(file, text);
  await waitFor(() => c.records.length >= expected, `${expected} records`);
  return c;
}

describe('filelog receiver – parser operators', () => {
  it('json_parser puts the fields of a JSON line into attributes and sets the severity; a non-JSON line is sent as it is', async () => {
    const c = await readLines(
      { operators: [{ type: 'json_parser', severity: { parse_from: 'attributes.level' } }] },
      [
        JSON.stringify({
          level: 'ERROR',
          message: 'Payment failed.',
          'session.id': 's-1',
          user: { id: 7, roles: ['a'] },
          ok: false,
        }),
        'not json at all',
        '',
      ].join('\n'),
      2,
    );
    const [a, b] = c.records;
    expect(a!.attributes).toEqual({
      'log.file.name': 'app.log',
      level: 'ERROR',
      message: 'Payment failed.',
      'session.id': 's-1',
      user: { id: 7, roles: ['a'] },
      ok: false,
    });
    expect(a!.severityNumber).toBe(17);
    expect(a!.severityText).toBe('ERROR');
    expect(a!.body).toBe(
      JSON.stringify({
        level: 'ERROR',
        message: 'Payment failed.',
        'session.id': 's-1',
        user: { id: 7, roles: ['a'] },
        ok: false,
      }),
    );
    expect(b!.body).toBe('not json at all');
    expect(b!.attributes).toEqual({ 'log.file.name': 'app.log' });
  });

  it('json_parser with on_error: drop drops lines that are not JSON objects', async () => {
    const c = await readLines({ operators: [{ type: 'json_parser', on_error: 'drop' }] }, '[1,2]\nplain\n{"n":1}\n', 1);
    expect(c.records.map((r) => r.attributes.n)).toEqual([1]);
  });

  it('regex_parser turns named groups (Go syntax) into attributes', async () => {
    const c = await readLines(
      {
        include_file_name: false,
        operators: [
          {
            type: 'regex_parser',
            regex: '^(?P<time>\\S+) (?P<level>[A-Z]+) (?P<msg>.*?)(?: user=(?P<user>\\w+))?$',
            severity: {},
          },
        ],
      },
      '2026-12-03T10:00:00Z WARN Disk almost full. user=ops\n2026-12-03T10:00:01Z INFO Started.\n',
      2,
    );
    expect(c.records[0]!.attributes).toEqual({
      time: '2026-12-03T10:00:00Z',
      level: 'WARN',
      msg: 'Disk almost full.',
      user: 'ops',
    });
    expect(c.records[0]!.severityNumber).toBe(13);
    expect(c.records[1]!.attributes).toEqual({ time: '2026-12-03T10:00:01Z', level: 'INFO', msg: 'Started.' });
  });

  it('validation reports every problem with its path', () => {
    expect(
      configIssues({
        include: ['/var/log/[abc.log'],
        start_at: 'middle',
        multiline: {},
        operators: [{ type: 'regex_parser', regex: '^\\w+$' }, { type: 'regex_parser' }, { type: 'csv_parser' }],
        storage: 'redis',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^receivers::filelog::include::0: has an unclosed \[/),
        expect.stringMatching(/^receivers::filelog::start_at: must be one of beginning, end/),
        expect.stringMatching(/^receivers::filelog::operators::2::type: must be one of json_parser, regex_parser/),
        expect.stringMatching(/^receivers::filelog::storage: must be the id of a file_storage extension/),
      ]),
    );
    expect(configIssues({ multiline: {} })).toEqual([
      'receivers::filelog::multiline::line_start_pattern: is required when multiline is set',
    ]);
    expect(configIssues({ operators: [{ type: 'regex_parser', regex: '^\\w+$' }] })).toEqual([
      expect.stringMatching(/operators::0::regex: must have at least one named group/),
    ]);
    expect(configIssues({ operators: [{ type: 'regex_parser' }] })).toEqual([
      'receivers::filelog::operators::0::regex: is required for regex_parser',
    ]);
    expect(configIssues({ multiline: { line_start_pattern: '(a)\\1' } })).toEqual([
      expect.stringMatching(/line_start_pattern: is not a valid regular expression/),
    ]);
  });
});

describe('filelog receiver – whitespace', () => {
  it('trims leading and trailing whitespace of each entry as the Collector does, unless preserve_*_whitespaces is set; blank lines are skipped', async () => {
    const trimmed = await readLines({}, '  indented id=1  \n\t \nplain id=2\t\n', 2);
    expect(trimmed.bodies()).toEqual(['indented id=1', 'plain id=2']);
    const kept = await readLines(
      { preserve_leading_whitespaces: true, preserve_trailing_whitespaces: true },
      '  indented id=1  \r\n',
      1,
    );
    expect(kept.bodies()).toEqual(['  indented id=1  ']);
  });
});
