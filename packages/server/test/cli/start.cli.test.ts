import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const bin = new URL('../../bin/switchyard.js', import.meta.url).pathname
const dirs: string[] = []

afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true })
})

/** Starts `switchyard start` on an embedded store and resolves once the banner is printed. */
async function start(
  dataDir: string,
): Promise<{ child: ChildProcess; output: () => string; url: string }> {
  const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, SWITCHYARD_LOG_LEVEL: 'warn', SWITCHYARD_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${output}`)), 30_000)
    child.stdout!.on('data', () => {
      const match = /Listening\s+(http:\/\/\S+)/.exec(output)
      if (match && output.includes('Stop with Ctrl-C')) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
  return { child, output: () => output, url }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe('switchyard start', () => {
  it('creates a default project on first start and writes credentials.json with mode 0600', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-'))
    dirs.push(dataDir)
    const { child, output, url } = await start(dataDir)
    const file = path.join(dataDir, 'credentials.json')
    const credentials = JSON.parse(await fs.readFile(file, 'utf8'))
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600)
    expect(output()).toContain(credentials.apiKey)
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${credentials.apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'webhook.test', data: {} }),
    })
    expect(res.status).toBe(202)
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
  })

  it('starts again with its data after being killed with SIGKILL', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-'))
    dirs.push(dataDir)
    const first = await start(dataDir)
    const credentials = JSON.parse(
      await fs.readFile(path.join(dataDir, 'credentials.json'), 'utf8'),
    )
    const publish = (url: string) =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${credentials.apiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ type: 'webhook.test', data: {} }),
      })
    const accepted = await (await publish(first.url)).json()
    first.child.kill('SIGKILL')
    await exited(first.child)
    const second = await start(dataDir)
    const read = await fetch(`${second.url}/v1/events/${accepted.id}`, {
      headers: { authorization: `Bearer ${credentials.apiKey}` },
    })
    expect(read.status).toBe(200)
    expect(second.output()).not.toContain('First start')
    second.child.kill('SIGTERM')
    expect(await exited(second.child)).toBe(0)
  })
})
