// The one colour decision for everything Auditline prints (the console
// exporter and the CLI). In order: `never` wins; FORCE_COLOR (any value but
// `0`/`false`) forces colour and FORCE_COLOR=0 disables it, as in Node; a
// non-empty NO_COLOR disables it (no-color.org); `always` forces it; `auto`
// colours a TTY unless TERM is `dumb`.

export type ColorMode = 'auto' | 'always' | 'never';

export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

export function colorEnabled(
  mode: ColorMode,
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (mode === 'never') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (mode === 'always') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
