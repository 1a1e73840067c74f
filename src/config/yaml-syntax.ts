// A YAML syntax error is reported once, at the first place the parser stopped
// understanding the file: what follows is usually a cascade from it (one
// unquoted `{collection}` in a flow map gave 23 errors down to the last line).
// The commonest cause in collector configs gets a hint with the fix.
import type { LineCounter, YAMLError } from 'yaml';
import type { ConfigIssue } from './schema.js';

/** A value holding `{…}` beside other characters (`./logs/{collection}/`): not a plain scalar in flow context. */
const BRACED_VALUE = /[^\s"'{},[\]]*\{[^\s{}"',[\]]*\}[^\s,{}[\]"']*/g;

export function firstSyntaxIssue(text: string, errors: YAMLError[], lines: LineCounter): ConfigIssue {
  const e = errors[0]!;
  // The yaml package reports its own stack overflow on very deep nesting as a parse error.
  if (/Maximum call stack/.test(e.message)) return { path: [], message: 'the configuration is nested too deeply' };
  const { line, col } = lines.linePos(e.pos[0]);
  const source = text.split('\n', line)[line - 1] ?? '';
  const reason = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
  return { path: [], message: `YAML syntax error at column ${col}: ${reason}${hintFor(source)}`, line };
}

function hintFor(source: string): string {
  const braced = [...source.matchAll(BRACED_VALUE)].map((m) => m[0]).find((v) => !/^\{[^{}]*\}$/.test(v));
  if (braced) return `; quote the value: "${braced}" (inside { … } braces open and close maps)`;
  if (/[{[]/.test(source)) return '; inside { … } or [ … ], quote values that contain { } [ ] , or # ("…")';
  return '';
}
