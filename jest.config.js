// One jest project per package. Tests run on the TypeScript sources (no build needed): swc
// strips the types file by file, as ESM (tsc -p tsconfig.check.json typechecks them separately,
// in ./dev test; a cold cache transpiled with ts-jest cost ~40 s of CPU more), and @msal-ts/*
// imports map to each package's src.
const project = (name) => ({
  displayName: name,
  rootDir: `<rootDir>/packages/${name}`,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@msal-ts/(core|node|browser|testing)$': '<rootDir>/../$1/src/index.ts',
    '^@msal-ts/core/protocol$': '<rootDir>/../core/src/protocol.ts',
    '^@msal-ts/core/spa$': '<rootDir>/../core/src/spa.ts',
    '^@msal-ts/core/spa-flows$': '<rootDir>/../core/src/spaFlows.ts',
    '^@msal-ts/browser/http$': '<rootDir>/../browser/src/httpEntry.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    // As tsconfig.base.json compiles: ES2022 class fields (define semantics), imports kept as written.
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true, verbatimModuleSyntax: true } } },
    ],
  },
})

// The SPA tests of @msal-ts/browser share one Chromium per run, launched when the first of them asks.
const sharedChromium = {
  globalSetup: '<rootDir>/test/spa/chromiumService.mjs',
  globalTeardown: '<rootDir>/test/spa/chromiumServiceTeardown.mjs',
}

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  projects: ['core', 'node', 'browser', 'testing'].map((name) => (name === 'browser' ? { ...project(name), ...sharedChromium } : project(name))),
  // A worker per core (jest's default leaves one idle: one worker on a 2-core CI machine). The
  // suites are mostly CPU-bound, and their real waits (child processes, peers) overlap.
  maxWorkers: '100%',
  testTimeout: 30_000,
}
