import { describe, expect, it } from 'vitest'
import { killSpawned, spawnTracked, spawnedCount } from './processes.ts'
import { waitFor } from './wait.ts'

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('spawned process tracking', () => {
  it('kills a tracked process and what it started, and forgets it', async () => {
    // A child that starts a grandchild and prints its pid, then both wait forever.
    const script = `
      const { spawn } = require('node:child_process')
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
      console.log(grandchild.pid)
      setInterval(() => {}, 1000)`
    const child = spawnTracked(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => (output += chunk))
    const grandchild = await waitFor(() => Number(output.trim()) || undefined, 60_000)
    expect(spawnedCount()).toBe(1)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    killSpawned()
    await exited
    await waitFor(() => !isAlive(grandchild), 10_000)
    expect(spawnedCount()).toBe(0)
  }, 90_000)
})
