// Tokens of the OTTL condition subset (see README): paths, string/number
// literals, nil/true/false, enum names, comparison operators, and/or/not,
// parentheses, brackets, dots and commas.

export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Parsed value for strings and numbers. */
  value?: string | number;
  /** 1-based column, for error messages. */
  col: number;
}

export class OttlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly col: number,
  ) {
    super(`${reason} (column ${col})`);
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new OttlSyntaxError('unterminated string', col);
        const d = src[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = ESCAPES[src[i + 1] ?? ''];
          if (e === undefined) throw new OttlSyntaxError(`unsupported escape "\\${src[i + 1] ?? ''}" in string`, i + 1);
          s += e;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ kind: 'string', text: src.slice(col - 1, i), value: s, col });
      continue;
    }
    const num = /^-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num && (c !== '-' || !endsValue(out))) {
      out.push({ kind: 'number', text: num[0], value: Number(num[0]), col });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'ident', text: id[0], col });
      i += id[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      out.push({ kind: 'op', text: two, col });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      out.push({ kind: 'op', text: c, col });
      i++;
      continue;
    }
    if ('()[],.'.includes(c)) {
      out.push({ kind: 'punct', text: c, col });
      i++;
      continue;
    }
    if ('+-*/'.includes(c)) throw new OttlSyntaxError(`math expressions ("${c}") are not supported`, col);
    if (c === '{') throw new OttlSyntaxError('map literals are not supported', col);
    throw new OttlSyntaxError(`unexpected character "${c}"`, col);
  }
  out.push({ kind: 'end', text: 'end of condition', col: src.length + 1 });
  return out;
}

/** A '-' after a value is subtraction (unsupported), not a negative number. */
function endsValue(tokens: Token[]): boolean {
  const t = tokens[tokens.length - 1];
  return (
    t !== undefined &&
    (t.kind === 'string' || t.kind === 'number' || t.kind === 'ident' || t.text === ')' || t.text === ']')
  );
}
