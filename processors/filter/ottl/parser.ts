// A recursive-descent parser for OTTL boolean conditions:
//   condition  := and ('or' and)*
//   and        := term ('and' term)*
//   term       := 'not' term | '(' condition ')' | value (op value)?
//   value      := literal | nil | ENUM | path | Func(args)
//   path       := ident ('.' ident)* ('[' (string | int) ']')*
// A value standing alone must be a function call or true/false.
import type { BoolNode, CompareOp, ValueNode } from './ast.js';
import { OttlSyntaxError, tokenize, type Token } from './lexer.js';

const OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['and', 'or', 'not']);

export function parseCondition(src: string): BoolNode {
  return new Parser(tokenize(src)).parseAll();
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): BoolNode {
    if (this.peek().kind === 'end') throw new OttlSyntaxError('empty condition', 1);
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end')
      throw new OttlSyntaxError(`unexpected ${show(t)}; expected "and", "or" or the end of the condition`, t.col);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === w;
  }
  private expect(text: string, what: string): Token {
    const t = this.next();
    if (t.text !== text || t.kind === 'string')
      throw new OttlSyntaxError(`expected ${what} but found ${show(t)}`, t.col);
    return t;
  }

  private parseOr(): BoolNode {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.i++;
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): BoolNode {
    let left = this.parseTerm();
    while (this.isWord('and')) {
      this.i++;
      left = { type: 'and', left, right: this.parseTerm() };
    }
    return left;
  }

  private parseTerm(): BoolNode {
    const t = this.peek();
    if (this.isWord('not')) {
      this.i++;
      return { type: 'not', expr: this.parseTerm() };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.i++;
      const inner = this.parseOr();
      this.expect(')', '")"');
      return inner;
    }
    const left = this.parseValue();
    const op = this.peek();
    if (op.kind === 'op' && OPS.has(op.text)) {
      this.i++;
      return { type: 'compare', op: op.text as CompareOp, left, right: this.parseValue() };
    }
    if (left.type === 'call') return { type: 'call', name: left.name, args: left.args, col: left.col };
    if (left.type === 'literal' && typeof left.value === 'boolean') return { type: 'const', value: left.value };
    throw new OttlSyntaxError(`expected a comparison operator (==, !=, <, <=, >, >=) after ${describe(left)}`, op.col);
  }

  private parseValue(): ValueNode {
    const t = this.next();
    if (t.kind === 'string') return { type: 'literal', value: t.value as string, col: t.col };
    if (t.kind === 'number') return { type: 'literal', value: t.value as number, col: t.col };
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) {
      throw new OttlSyntaxError(
        t.kind === 'end' ? 'condition ends where a value was expected' : `expected a value but found ${show(t)}`,
        t.col,
      );
    }
    if (t.text === 'nil') return { type: 'literal', value: null, col: t.col };
    if (t.text === 'true' || t.text === 'false') return { type: 'literal', value: t.text === 'true', col: t.col };
    if (this.peek().text === '(' && this.peek().kind === 'punct') return this.parseCall(t);
    if (/^[A-Z][A-Z0-9_]*$/.test(t.text)) return { type: 'enum', name: t.text, col: t.col };
    if (/^[A-Z]/.test(t.text)) throw new OttlSyntaxError(`"${t.text}" is neither a path nor a known enum`, t.col);
    return this.parsePath(t);
  }

  private parseCall(name: Token): ValueNode {
    this.i++; // (
    const args: ValueNode[] = [];
    if (this.peek().text !== ')') {
      for (;;) {
        args.push(this.parseValue());
        if (this.peek().text === ',' && this.peek().kind === 'punct') {
          this.i++;
          continue;
        }
        break;
      }
    }
    this.expect(')', `")" to close ${name.text}(`);
    return { type: 'call', name: name.text, args, col: name.col };
  }

  private parsePath(first: Token): ValueNode {
    const segments = [first.text];
    while (this.peek().kind === 'punct' && this.peek().text === '.') {
      this.i++;
      const s = this.next();
      if (s.kind !== 'ident') throw new OttlSyntaxError(`expected a name after "." but found ${show(s)}`, s.col);
      segments.push(s.text);
    }
    const keys: (string | number)[] = [];
    while (this.peek().kind === 'punct' && this.peek().text === '[') {
      this.i++;
      const k = this.next();
      if (k.kind === 'string') keys.push(k.value as string);
      else if (k.kind === 'number' && Number.isInteger(k.value) && (k.value as number) >= 0)
        keys.push(k.value as number);
      else throw new OttlSyntaxError(`expected a string key or list index inside [...] but found ${show(k)}`, k.col);
      this.expect(']', '"]"');
    }
    return { type: 'path', segments, keys, col: first.col };
  }
}

/** A token as it appears in the condition, quoted once. */
function show(t: Token): string {
  return t.kind === 'string' ? t.text : t.kind === 'end' ? 'the end of the condition' : `"${t.text}"`;
}

export function describe(v: ValueNode): string {
  switch (v.type) {
    case 'literal':
      return v.value === null ? 'nil' : JSON.stringify(v.value);
    case 'enum':
      return v.name;
    case 'call':
      return `${v.name}(...)`;
    case 'path':
      return v.segments.join('.') + v.keys.map((k) => `[${JSON.stringify(k)}]`).join('');
  }
}
