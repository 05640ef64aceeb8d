// Lint: TypeScript hygiene everywhere, plus the architecture's one hard rule:
// packages/core performs no I/O and reads no globals (time, randomness, network, storage,
// process state), so every flow stays a pure description that any interpreter can run.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

const fpTsBarrel = {
  name: 'fp-ts',
  message: "Import fp-ts from its submodules (e.g. '#fp-ts/Either'); the barrel defeats tree-shaking.",
}
// fp-ts 2 has no exports map: Node's ESM loader cannot load 'fp-ts/Either'. Each package's
// imports map sends '#fp-ts/X' to fp-ts/lib/X.js on Node and to the ES module fp-ts/es6/X.js
// in bundlers (tree-shakeable).
const fpTsSubmodules = {
  group: ['fp-ts/*', '#fp-ts/index'],
  message: "Import fp-ts submodules as '#fp-ts/Either' (the package imports map), not 'fp-ts/Either'.",
}

// The testing kit (fake identity provider, replay) is for tests and examples: the packages an
// application installs must not need it at run time.
const testingKit = {
  name: '@msal-ts/testing',
  message: '@msal-ts/testing is for tests and examples; the published packages may not depend on it (put demos in examples/).',
}

/** Globals that perform I/O, read the clock or randomness, or only exist in one runtime. */
export const CORE_FORBIDDEN_GLOBALS = [
  'Date', 'fetch', 'crypto', 'process', 'performance', 'navigator', 'window', 'document', 'self', 'globalThis',
  'localStorage', 'sessionStorage', 'indexedDB', 'XMLHttpRequest', 'WebSocket', 'location', 'history',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask',
  'require', 'module', 'Buffer', '__dirname', '__filename', 'console', 'Request', 'Response', 'Headers',
].map((name) => ({ name, message: `packages/core is pure: '${name}' is I/O or runtime state. Describe it as an effect instead.` }))

export const coreRules = {
  'no-restricted-globals': ['error', ...CORE_FORBIDDEN_GLOBALS],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'packages/core is pure: ask for randomness with the RandomBytes effect.' },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: [
        fpTsBarrel,
        testingKit,
        ...builtinModules.map((name) => ({ name, message: 'packages/core may not import Node built-ins.' })),
        {
          name: 'jose',
          allowImportNames: ['base64url', 'decodeJwt', 'decodeProtectedHeader', 'errors'],
          message: "packages/core may use only jose's pure helpers (base64url, decodeJwt, decodeProtectedHeader).",
        },
      ],
      patterns: [fpTsSubmodules, { group: ['node:*'], message: 'packages/core may not import Node built-ins.' }],
    },
  ],
}

/**
 * The modules every cache hit (and every filed token) runs through. On V8, an object literal that
 * spreads an object and adds a property the object lacks (`{ ...o, x }`) gets a hidden class of
 * its own, made anew on every call: about 1 µs each, most of a hit (issue 16). There, build the
 * object as one literal and assign the optional fields after, or use Object.assign on a rare path.
 */
export const HOT_PATHS = [
  'packages/core/src/cache/**/*.ts',
  'packages/core/src/effects/**/*.ts',
  'packages/core/src/{result,responseResult}.ts',
  'packages/core/src/flows/{clientCredentials,silent,silentCache,onBehalfOf,managedIdentity,correlation}.ts',
  'packages/core/src/flows/browser/silentCache.ts',
  'packages/core/src/app/{AppShell,ClientApplication,ConfidentialClientApplication,ManagedIdentityClient,runAlone,settle,withPersistence,applyStateChange,methodOptions,context}.ts',
  'packages/core/src/protocol/{scopes,scopeDecoration,claims}.ts',
  'packages/core/src/http/telemetry.ts',
  'packages/core/src/util/{uuid,either,base64url}.ts',
  'packages/browser/src/webInterpreter.ts',
  'packages/node/src/interpreter/nodeInterpreter.ts',
]

export const hotPathRules = {
  'no-restricted-syntax': [
    'error',
    {
      selector: 'ObjectExpression:has(> SpreadElement):has(> Property)',
      message:
        'No spread-then-add on a hot path: `{ ...o, x }` makes a new hidden class on every call (about 1 µs on V8). Build one literal and assign optional fields after, or use Object.assign on a rare path.',
    },
  ],
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'packages/*/test/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { paths: [fpTsBarrel], patterns: [fpTsSubmodules] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/node/src/**/*.ts', 'packages/browser/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [fpTsBarrel, testingKit], patterns: [fpTsSubmodules] }] },
  },
  {
    files: ['packages/browser/src/**/*.ts', 'examples/spa/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    languageOptions: { globals: {} },
    rules: coreRules,
  },
  {
    files: HOT_PATHS,
    rules: hotPathRules,
  },
)
