import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config.ts'
import { ApiError } from '../../../src/errors.ts'
import {
  ConnectorError,
  filesystemConnector,
  type Connector,
} from '../../../src/syncs/connectors/index.ts'

/*
 * What HTTP cannot time: files swapped between a pass's listing and its content reads, and the
 * external ids `readContent` accepts (only the connector's own listing reaches it today).
 */

let base: string
let root: string
let outside: string
let dataDir: string
let connector: Connector
const context = () => ({ syncId: 's', configuration: { path: root } })
const outsideMessage = () =>
  `The file must be a directory inside the filesystem connector's roots (${root}).`

/** The ConnectorError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConnectorError)
  return error as ConnectorError
}

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-fs-unit-')))
  root = path.join(base, 'root')
  outside = path.join(base, 'outside')
  dataDir = path.join(base, 'data')
  await fs.mkdir(path.join(root, 'sub'), { recursive: true })
  await fs.mkdir(outside)
  await fs.mkdir(dataDir)
  await fs.writeFile(path.join(root, 'a.txt'), 'alpha')
  await fs.writeFile(path.join(root, 'sub', 'b.txt'), 'beta')
  await fs.writeFile(path.join(outside, 'secret.txt'), 'secret')
  await fs.writeFile(path.join(outside, 'b.txt'), 'secret too')
  connector = filesystemConnector({ roots: [root], dataDir, limits: { maxFileBytes: 10 } })
})
afterAll(() => fs.rm(base, { recursive: true, force: true }))

describe('readContent', () => {
  it('reads a file below the sync path', async () => {
    expect((await connector.readContent(context(), 'sub/b.txt'))?.toString()).toBe('beta')
  })

  it.each(['../outside/secret.txt', '/etc/passwd', 'sub/../../outside/secret.txt', 'a\0b', ''])(
    'refuses the external id %j with the outside answer',
    async (id) => {
      const error = await refusal(connector.readContent(context(), id))
      expect(error).toMatchObject({ code: '10005', message: outsideMessage() })
    },
  )

  it('refuses a file swapped for a link out of the roots after the listing', async () => {
    const file = path.join(root, 'swapped.txt')
    await fs.symlink(path.join(outside, 'secret.txt'), file)
    try {
      const error = await refusal(connector.readContent(context(), 'swapped.txt'))
      expect(error.message).toBe(outsideMessage())
    } finally {
      await fs.rm(file)
    }
  })

  it('refuses a directory swapped for a link out of the roots after the listing', async () => {
    const dir = path.join(root, 'moved')
    await fs.symlink(outside, dir)
    try {
      const error = await refusal(connector.readContent(context(), 'moved/b.txt'))
      expect(error.message).toBe(outsideMessage())
    } finally {
      await fs.rm(dir)
    }
  })

  it('refuses a FIFO swapped in after the listing without waiting for a writer', async () => {
    const fifo = path.join(root, 'pipe.txt')
    execFileSync('mkfifo', [fifo])
    try {
      const error = await refusal(connector.readContent(context(), 'pipe.txt'))
      expect(error.message).toContain('not a regular file')
    } finally {
      await fs.rm(fifo)
    }
  })

  it('refuses a file above the per-file limit', async () => {
    await fs.writeFile(path.join(root, 'big.txt'), 'x'.repeat(11))
    const error = await refusal(connector.readContent(context(), 'big.txt'))
    expect(error.message).toBe('The file is 11 bytes or more; the content limit is 10.')
  })

  it('answers null for a file that vanished', async () => {
    expect(await connector.readContent(context(), 'gone.txt')).toBeNull()
  })
})

describe('roots', () => {
  it.each([
    ['/', 'may not be /'],
    ['/proc', 'may not be /'],
    ['/dev/shm', 'may not be /'],
    ['missing', 'not a directory (ENOENT)'],
    ['a file', 'not a directory'],
    ['the data dir', 'may not be /'],
  ])('refuses %s at start-up', (name, message) => {
    const dirs: Record<string, string> = {
      missing: path.join(base, 'missing'),
      'a file': path.join(root, 'a.txt'),
      'the data dir': dataDir,
    }
    expect(() => filesystemConnector({ roots: [dirs[name] ?? name], dataDir })).toThrow(message)
  })

  it('reads SWITCHYARD_FS_CONNECTOR_ROOTS as a comma-separated list of absolute directories', () => {
    const env = { SWITCHYARD_FS_CONNECTOR_ROOTS: ' /srv/a , /srv/b ' }
    expect(loadConfig(env).fsConnectorRoots).toEqual(['/srv/a', '/srv/b'])
    expect(loadConfig({}).fsConnectorRoots).toEqual([])
    expect(() => loadConfig({ SWITCHYARD_FS_CONNECTOR_ROOTS: 'srv/a' })).toThrow(
      'SWITCHYARD_FS_CONNECTOR_ROOTS must list absolute directories',
    )
  })
})

describe('without roots', () => {
  const off = filesystemConnector()

  it('refuses every configuration with connector_disabled', async () => {
    const error = await off.checkConfiguration({ path: root }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'connector_disabled', status: 403 })
  })

  it('fails every pass and content read with connector_disabled', async () => {
    const pass = off.listAll(context())
    const listing = (async () => {
      for await (const _ of pass.pages);
    })()
    expect(await refusal(listing)).toMatchObject({ code: 'connector_disabled' })
    expect(await refusal(off.readContent(context(), 'a.txt'))).toMatchObject({
      code: 'connector_disabled',
    })
  })
})
