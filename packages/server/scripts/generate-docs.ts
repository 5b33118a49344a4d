// Regenerates the docs that are derived from code: `npm run docs -w switchyard`.
import fs from 'node:fs/promises'
import { renderWireFormatsDoc } from '../src/docs/wire-formats.ts'

const target = new URL('../../../docs/wire-formats.md', import.meta.url)
await fs.writeFile(target, renderWireFormatsDoc())
console.log(`wrote ${target.pathname}`)
