import path from 'node:path'
import { resolveImport } from './no-import-cycles.js'

/*
 * `house/feature-boundaries`: in packages/server/src each folder is a feature (delivery/,
 * inbound/, store/, …). A file may import its own feature's files freely, another feature only
 * through that feature's `index.ts`, and a top-level file (config.ts, errors.ts, …) directly.
 * The composition roots (main.ts, cli/) wire features together through the same index files.
 * Options: `{ shared: ['http'] }` names folders whose files any feature may import directly.
 */

// The feature folder a file belongs to under `root`, or null for a top-level file.
function featureOf(root, file) {
  const parts = path.relative(root, file).split(path.sep)
  return parts.length > 1 ? parts[0] : null
}

/** @type {import('eslint').Rule.RuleModule} */
export const featureBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: "Imports another feature only through that feature's index.ts" },
    schema: [
      {
        type: 'object',
        properties: { shared: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
    messages: {
      deep: '{{feature}}/ is another feature: import it through {{feature}}/index.ts, and export what is needed there.',
    },
  },
  create(context) {
    const file = path.resolve(context.filename)
    const match = /^(.*[\\/]packages[\\/]server[\\/]src)[\\/]/.exec(file)
    if (!match) return {}
    const root = match[1]
    const shared = new Set(context.options[0]?.shared ?? [])
    const own = featureOf(root, file)
    const check = (node) => {
      if (!node.source) return
      const target = resolveImport(file, node.source.value)
      if (!target || !target.startsWith(root + path.sep)) return
      const feature = featureOf(root, target)
      if (feature === null || feature === own || shared.has(feature)) return
      if (target === path.join(root, feature, 'index.ts')) return
      context.report({ node: node.source, messageId: 'deep', data: { feature } })
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string')
          check({ source: node.source })
      },
    }
  },
}
