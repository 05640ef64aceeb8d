/**
 * The TSDoc rule, checked in ./dev test: every property of an interface or object type that a
 * package's entry point exports (each "types" of each package.json's exports map) carries a doc
 * comment. Reads the built declarations, so it sees exactly what a consumer sees: needs a build
 * first. Prints the undocumented fields as `source file: Type.property` and exits 1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const packagesDir = join(root, 'packages')

/** The .d.ts file of every entry point every package exports. */
function entryDeclarations() {
  const entries = []
  for (const name of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, name, 'package.json')
    if (!existsSync(manifestPath)) continue
    const { exports = {} } = JSON.parse(readFileSync(manifestPath, 'utf8'))
    for (const target of Object.values(exports)) {
      if (typeof target === 'object' && target !== null && typeof target.types === 'string') {
        entries.push(join(packagesDir, name, target.types))
      }
    }
  }
  return entries
}

/** A doc comment with some text in it: an empty one documents nothing. */
function hasDocComment(text, node) {
  return (ts.getLeadingCommentRanges(text, node.pos) ?? []).some((range) => {
    const comment = text.slice(range.pos, range.end)
    return comment.startsWith('/**') && comment.slice(3, -2).replace(/[\s*]/g, '') !== ''
  })
}

/** Where a declaration was written: the source file behind the built one. */
function sourcePathOf(declarationFile) {
  return declarationFile.slice(root.length).replace('/dist/', '/src/').replace(/\.d\.ts$/, '.ts')
}

const entries = entryDeclarations()
const absent = entries.filter((entry) => !existsSync(entry))
if (absent.length > 0) {
  console.error(`TSDoc: build first (npx pnpm run build); missing: ${absent.map((entry) => entry.slice(root.length)).join(', ')}`)
  process.exit(1)
}

const program = ts.createProgram(entries, { strict: true, skipLibCheck: true, types: [] })
const checker = program.getTypeChecker()
const checked = new Set()
const missing = new Set()
for (const entry of entries) {
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry))
  for (let symbol of checker.getExportsOfModule(moduleSymbol)) {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
    for (const declaration of symbol.declarations ?? []) {
      let members
      if (ts.isInterfaceDeclaration(declaration)) members = declaration.members
      else if (ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)) members = declaration.type.members
      else continue
      const file = declaration.getSourceFile()
      for (const member of members) {
        if (!ts.isPropertySignature(member) && !ts.isMethodSignature(member)) continue
        const field = `${sourcePathOf(file.fileName)}: ${declaration.name.text}.${member.name.getText(file)}`
        checked.add(field)
        if (!hasDocComment(file.text, member)) missing.add(field)
      }
    }
  }
}

if (missing.size > 0) {
  console.error([...missing].sort().join('\n'))
  console.error(`TSDoc: ${missing.size} of ${checked.size} public fields have no doc comment (say what it is, its unit, its RFC section)`)
  process.exit(1)
}
console.log(`TSDoc: ${checked.size} public fields, all documented`)
