import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'

/*
 * The house ESLint rules (eslint-rules/) run against a small source tree written to a temp dir,
 * laid out as the rules expect (`packages/<name>/src/<feature>/…`): each case is a file that
 * must be reported, or must not. The rules read the files from disk (imports are resolved to
 * files that exist), so the fixtures are real files, not strings.
 */

const repoRoot = path.resolve(import.meta.dirname, '../../../..')
let root: string
let eslint: ESLint

const files: Record<string, string> = {
  'packages/server/src/config.ts': 'export const config = 1\n',
  'packages/server/src/http/auth.ts': 'export const auth = 1\n',
  'packages/server/src/inbound/index.ts': "export { store } from './store.ts'\n",
  'packages/server/src/inbound/store.ts': 'export const store = 1\n',
  'packages/server/src/delivery/own.ts': 'export const own = 1\n',
  'packages/server/src/delivery/through-index.ts':
    "import { store } from '../inbound/index.ts'\nimport { own } from './own.ts'\nimport { config } from '../config.ts'\nimport { auth } from '../http/auth.ts'\nexport const x = [store, own, config, auth]\n",
  'packages/server/src/delivery/deep.ts':
    "import { store } from '../inbound/store.ts'\nexport const x = store\n",
  'packages/server/src/delivery/deep-reexport.ts': "export * from '../inbound/store.ts'\n",
  'packages/server/src/delivery/deep-lazy.ts':
    "export const load = () => import('../inbound/store.ts')\n",
  'packages/sdk/src/a.ts': "import type { B } from './b.ts'\nexport type A = { b?: B }\n",
  'packages/sdk/src/b.ts': "import type { A } from './a.ts'\nexport type B = { a?: A }\n",
  'packages/sdk/src/lazy-a.ts': "export const load = () => import('./lazy-b.ts')\n",
  'packages/sdk/src/lazy-b.ts': "import { load } from './lazy-a.ts'\nexport const again = load\n",
  'packages/sdk/src/leaf.ts': "import { again } from './lazy-b.ts'\nexport const leaf = again\n",
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'house-rules-'))
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    fs.writeFileSync(path.join(root, name), text)
  }
  // Imported by URL: the rules are plain JavaScript beside eslint.config.js, outside this package.
  const house = (await import(pathToFileURL(path.join(repoRoot, 'eslint-rules/index.js')).href))
    .default
  const tseslint = (await import('typescript-eslint')).default
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { house },
        rules: {
          'house/no-import-cycles': 'error',
          'house/feature-boundaries': ['error', { shared: ['http'] }],
        },
      },
    ],
  })
})

afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

async function messagesOf(name: string) {
  const [result] = await eslint.lintFiles([path.join(root, name)])
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }))
}

describe('house/feature-boundaries', () => {
  it("allows a feature's own files, another feature's index.ts, top-level files and shared folders", async () => {
    expect(await messagesOf('packages/server/src/delivery/through-index.ts')).toEqual([])
  })

  it("reports a deep import of another feature's file, re-exported or lazy too", async () => {
    for (const name of ['deep.ts', 'deep-reexport.ts', 'deep-lazy.ts']) {
      const messages = await messagesOf(`packages/server/src/delivery/${name}`)
      expect(messages, name).toEqual([
        {
          rule: 'house/feature-boundaries',
          line: 1,
          message: expect.stringContaining('inbound/ is another feature'),
        },
      ])
    }
  })
})

describe('house/no-import-cycles', () => {
  it('reports both ends of a cycle of type-only imports, naming the cycle', async () => {
    const [a, b] = [
      await messagesOf('packages/sdk/src/a.ts'),
      await messagesOf('packages/sdk/src/b.ts'),
    ]
    expect(a).toEqual([
      {
        rule: 'house/no-import-cycles',
        line: 1,
        message: expect.stringContaining('a.ts → b.ts → a.ts'),
      },
    ])
    expect(b).toEqual([
      {
        rule: 'house/no-import-cycles',
        line: 1,
        message: expect.stringContaining('b.ts → a.ts → b.ts'),
      },
    ])
  })

  it('does not count import() as an edge, nor a file that only reaches into a cycle-free chain', async () => {
    expect(await messagesOf('packages/sdk/src/lazy-a.ts')).toEqual([])
    expect(await messagesOf('packages/sdk/src/lazy-b.ts')).toEqual([])
    expect(await messagesOf('packages/sdk/src/leaf.ts')).toEqual([])
  })
})
