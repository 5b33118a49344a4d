import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/*
 * `house/no-import-cycles`: no file may reach itself through static imports (`import … from`,
 * `export … from`, type-only ones included: a type cycle still ties the files into one unit).
 * `import()` does not count: a lazy load is how a composition root defers a module.
 * The graph is the package's `src/`, read once per lint run; each import that closes a cycle is
 * reported with the cycle it closes.
 */

const graphs = new Map()

/** The static relative imports of one file, resolved to absolute paths. */
function importsOf(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found = []
  for (const statement of source.statements) {
    const specifier = statement.moduleSpecifier
    if (!specifier || !ts.isStringLiteral(specifier)) continue
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue
    const resolved = resolveImport(file, specifier.text)
    if (resolved) found.push(resolved)
  }
  return found
}

/** A relative specifier as a file path, or null for packages and files that do not exist. */
export function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return null
  const base = path.resolve(path.dirname(from), specifier)
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate
  return null
}

function buildGraph(root) {
  const graph = new Map()
  for (const entry of fs.readdirSync(root, { recursive: true })) {
    if (!/\.tsx?$/.test(entry) || entry.endsWith('.d.ts')) continue
    const file = path.join(root, entry)
    graph.set(file, importsOf(file))
  }
  return graph
}

// The `src` folder of the package a file belongs to, or null outside one.
function sourceRoot(file) {
  const match = /^(.*[\\/]packages[\\/][^\\/]+[\\/]src)[\\/]/.exec(file)
  return match ? match[1] : null
}

// Breadth-first: the shortest import path from `start` to `goal`, both included.
function shortestPath(graph, start, goal) {
  const previous = new Map([[start, null]])
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()
    if (node === goal) {
      const trail = []
      for (let n = goal; n !== null; n = previous.get(n)) trail.unshift(n)
      return trail
    }
    for (const next of graph.get(node) ?? [])
      if (!previous.has(next)) {
        previous.set(next, node)
        queue.push(next)
      }
  }
  return null
}

/** @type {import('eslint').Rule.RuleModule} */
export const noImportCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbids import cycles between the files of a package' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}. Move what both sides need into a third file.' },
  },
  create(context) {
    const file = path.resolve(context.filename)
    const root = sourceRoot(file)
    if (!root) return {}
    if (!graphs.has(root)) graphs.set(root, buildGraph(root))
    const graph = graphs.get(root)
    const check = (node) => {
      if (!node.source) return
      const target = resolveImport(file, node.source.value)
      const back = target && shortestPath(graph, target, file)
      if (!back) return
      const cycle = [file, ...back].map((f) => path.relative(root, f)).join(' → ')
      context.report({ node: node.source, messageId: 'cycle', data: { cycle } })
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
    }
  },
}
