#!/usr/bin/env node
// After `tsc -b`: rewrites the package-internal import aliases (`#fp-ts/Either`) in the emitted
// declaration files to the module each package's `imports` map resolves them to on Node
// (`fp-ts/lib/Either.js`). The `.js` keeps the alias (Node picks fp-ts/lib, bundlers the
// tree-shakeable fp-ts/es6), but a consumer's TypeScript with `moduleResolution: node10` ignores
// `imports` maps and could not resolve it; the rewritten specifier resolves in node10, node16
// and bundler alike, to the same types. The sources keep the alias.
//
//   node scripts/resolve-declaration-imports.mjs [PACKAGE_DIR...]   (default: every packages/*)
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

/** Conditions to pick an alias's target by, in order: what TypeScript resolves on Node. */
const CONDITIONS = ['types', 'node', 'import', 'default']

/** The target of one `imports` entry: a string, or the first matching condition's target. */
const targetOf = (entry) => {
  if (typeof entry === 'string') return entry
  if (entry === null || typeof entry !== 'object') return undefined
  for (const condition of CONDITIONS) {
    const target = targetOf(entry[condition])
    if (target !== undefined) return target
  }
  return undefined
}

/** A function mapping an alias to its target by the package's `imports` map (exact keys and `*` patterns). */
export const aliasResolver = (imports) => (specifier) => {
  for (const [key, entry] of Object.entries(imports ?? {})) {
    const star = key.indexOf('*')
    const target = targetOf(entry)
    if (target === undefined) continue
    if (star === -1) {
      if (key === specifier) return target
      continue
    }
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)]
    if (specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      return target.replaceAll('*', specifier.slice(prefix.length, specifier.length - suffix.length))
    }
  }
  return undefined
}

// `from '#x'`, `import('#x')` / `import("#x")` and `import '#x'`: every way a declaration file names a module.
const ALIAS_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(#[^'"]+)\2/g

/** The declaration text with every alias replaced; throws naming an alias the map does not resolve. */
export const rewriteAliases = (text, resolveAlias, fileName) =>
  text.replace(ALIAS_SPECIFIER, (_match, lead, quote, specifier) => {
    const target = resolveAlias(specifier)
    if (target === undefined || target.startsWith('#') || target.startsWith('.')) {
      throw new Error(`${fileName}: the import alias ${specifier} has no package target in package.json "imports"`)
    }
    return `${lead}${quote}${target}${quote}`
  })

const declarationFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return declarationFiles(path)
    return /\.d\.[mc]?ts$/.test(entry.name) ? [path] : []
  })

/** Rewrites one package's dist; returns how many files changed. */
export const rewritePackage = (packageDir) => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  const resolveAlias = aliasResolver(manifest.imports)
  let changed = 0
  for (const file of declarationFiles(join(packageDir, 'dist'))) {
    const text = readFileSync(file, 'utf8')
    const rewritten = rewriteAliases(text, resolveAlias, relative(root, file))
    if (rewritten === text) continue
    // Keep the emit time: tsc -b compares it to decide what is up to date, and the types did not change.
    const { atime, mtime } = statSync(file)
    writeFileSync(file, rewritten)
    utimesSync(file, atime, mtime)
    changed++
  }
  return changed
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const given = process.argv.slice(2)
  const packages = given.length > 0 ? given.map((dir) => resolve(dir)) : readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name))
  try {
    for (const dir of packages) rewritePackage(dir)
  } catch (error) {
    console.error(`resolve-declaration-imports: ${error.message}`)
    process.exit(1)
  }
}
