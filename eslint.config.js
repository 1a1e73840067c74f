// ESLint for the whole repository (`npm run lint`, run by CI). Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Buffer methods that are not public API (Node internals); confined to the one module that wraps them. */
const BUFFER_INTERNALS = [
  'utf8Write',
  'latin1Write',
  'asciiWrite',
  'ucs2Write',
  'hexWrite',
  'base64Write',
  'utf8Slice',
  'latin1Slice',
  'asciiSlice',
  'ucs2Slice',
  'hexSlice',
  'base64Slice',
];
const FAST_BUFFER = 'src/util/fast-buffer.ts';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Small functions: one screen each (blank lines and comments do not count).
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `cond ? a() : b()` and `x && f()` as statements are used on purpose in hot loops.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Security code matches control characters on purpose (escaping, refusing them in input).
      'no-control-regex': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        ...BUFFER_INTERNALS.map((name) => ({
          selector: `MemberExpression[property.name='${name}']`,
          message: `Buffer#${name} is not public API: use ${FAST_BUFFER}.`,
        })),
      ],
    },
  },
  { files: [FAST_BUFFER], rules: { 'no-restricted-syntax': 'off' } },
  {
    // Factory types default their config to `any`: the registry holds factories of every config type,
    // and each factory's create() takes its own (`unknown` would make the factories unassignable).
    files: ['src/component/types.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests and benchmarks: long scenario functions read best in one piece.
    files: ['test/**', 'bench/**', 'examples/**'],
    rules: { 'max-lines-per-function': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], languageOptions: { globals: { ...globals.browser, ...globals.node } } },
);
