// One colour decision for the CLI and the console exporter (issues #15, #16):
// --color=auto|always|never, FORCE_COLOR and NO_COLOR.
import { describe, expect, it } from 'vitest';
import { takeOutputOptions, type OutputOptions } from '../../src/cli/output-options.js';
import { colorEnabled } from '../../src/format/color.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour and output options', () => {
  it('colour – never wins; FORCE_COLOR forces (0 disables); NO_COLOR disables; always forces; auto follows the TTY', () => {
    expect(colorEnabled('auto', tty, {})).toBe(true);
    expect(colorEnabled('auto', pipe, {})).toBe(false);
    expect(colorEnabled('auto', tty, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled('always', pipe, {})).toBe(true);
    expect(colorEnabled('never', tty, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled('auto', pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled('auto', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colorEnabled('always', tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled('always', tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled('auto', tty, { NO_COLOR: '' })).toBe(true);
  });

  it('--color, --color=WHEN, --color WHEN and --local are taken out wherever they appear', () => {
    const o = (): OutputOptions => ({ color: 'auto', localTime: false });
    let into = o();
    expect(takeOutputOptions(['logs', 'audit', '--color', '--limit', '3'], into)).toEqual([
      'logs',
      'audit',
      '--limit',
      '3',
    ]);
    expect(into.color).toBe('always');
    into = o();
    expect(takeOutputOptions(['--color', 'never', 'read', 'f', '--local'], into)).toEqual(['read', 'f']);
    expect(into).toEqual({ color: 'never', localTime: true });
    into = o();
    expect(takeOutputOptions(['read', '--colour=always', 'f', '--', '--color'], into)).toEqual([
      'read',
      'f',
      '--',
      '--color',
    ]);
    expect(into.color).toBe('always');
    expect(() => takeOutputOptions(['--color=sometimes'], o())).toThrow(/--color must be one of auto, always, never/);
  });
});
