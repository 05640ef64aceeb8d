// One jest project per package. Tests run on the TypeScript sources (no build needed):
// ts-jest transpiles them as ESM, and @msal-ts/* imports map to each package's src.
const project = (name) => ({
  displayName: name,
  rootDir: `<rootDir>/packages/${name}`,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@msal-ts/(core|node|browser|testing)$': '<rootDir>/../$1/src/index.ts',
    '^@msal-ts/core/protocol$': '<rootDir>/../core/src/protocol.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/../../tsconfig.test.json' }],
  },
})

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  projects: ['core', 'node', 'browser', 'testing'].map(project),
  testTimeout: 30_000,
}
