// The syntax tree of a parsed condition.
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ValueNode =
  | { type: 'literal'; value: string | number | boolean | null; col: number }
  | { type: 'path'; segments: string[]; keys: (string | number)[]; col: number }
  | { type: 'enum'; name: string; col: number }
  | { type: 'call'; name: string; args: ValueNode[]; col: number };

export type BoolNode =
  | { type: 'or'; left: BoolNode; right: BoolNode }
  | { type: 'and'; left: BoolNode; right: BoolNode }
  | { type: 'not'; expr: BoolNode }
  | { type: 'compare'; op: CompareOp; left: ValueNode; right: ValueNode }
  | { type: 'const'; value: boolean }
  | { type: 'call'; name: string; args: ValueNode[]; col: number };
