import { describe, expect, it } from 'vitest'
import { parseTemplate, renderTemplate } from '../../src/destinations/templates/index.ts'
import { runSandboxed } from '../../src/sandbox/index.ts'

/*
 * Escape attempts against custom code (QuickJS) and request templates: neither may reach the
 * host (process, require, network, files) nor carry state from one run, project or tenant
 * to the next; runaway code ends at its limits.
 */

const run = (code: string, args: unknown[] = []) =>
  runSandboxed(code, 'verify', args, { tenant: 'escape' })

describe('custom code sandbox', () => {
  it('ends an infinite loop at the time limit', async () => {
    // The clock is for the limit, not for starting a sandbox thread on a busy machine.
    expect(await run('function verify() { return 0 }')).toEqual({ ok: true, value: 0 })
    const started = Date.now()
    const result = await run('function verify() { while (true) {} }')
    expect(result).toEqual({ ok: false, error: 'the code ran past its time limit' })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('ends a doubling-string bomb, and the host keeps its heap', async () => {
    const heap = process.memoryUsage().heapUsed
    const result = await run('function verify() { let s = "x"; while (true) s += s }')
    expect(result.ok).toBe(false)
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024)
  })

  // QuickJS does not poll its deadline inside allocations, and this loop garbage-collects on
  // every failed one: seconds of CPU before "out of memory". The sandbox thread is terminated
  // at the hard deadline (time limit + 250 ms) instead, and the main thread never waits on it.
  it('ends an allocation loop near the memory limit at the hard deadline, host responsive', async () => {
    const started = Date.now()
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    const result = await run(
      'function verify() { const a = []; while (true) a.push("x".repeat(1 << 20) + a.length) }',
    )
    clearInterval(ticker)
    expect(result.ok).toBe(false)
    expect(Date.now() - started).toBeLessThan(3000)
    // The main thread's timers kept firing while the code ran: nothing else was held up.
    expect(ticks).toBeGreaterThan(5)
    // A fresh sandbox thread takes the next job.
    expect(await run('function verify() { return 2 }')).toEqual({ ok: true, value: 2 })
  })

  it('runs jobs queued behind a runaway one once the thread is replaced', async () => {
    const bomb = run(
      'function verify() { const a = []; while (true) a.push("y".repeat(1 << 20) + a.length) }',
    )
    const after = [
      run('function verify() { return 3 }'),
      run('function verify(x) { return x }', [4]),
    ]
    expect((await bomb).ok).toBe(false)
    expect(await Promise.all(after)).toEqual([
      { ok: true, value: 3 },
      { ok: true, value: 4 },
    ])
  })

  it('ends unbounded recursion, and the next run still works', async () => {
    expect((await run('function verify() { return verify() }')).ok).toBe(false)
    expect(await run('function verify() { return 1 }')).toEqual({ ok: true, value: 1 })
  })

  it('has no host: process, require, fetch, std, os, Deno and Bun are absent', async () => {
    const result = await run(`function verify() {
      return ['process', 'require', 'fetch', 'std', 'os', 'Deno', 'Bun', 'XMLHttpRequest', 'WebAssembly']
        .map((name) => typeof globalThis[name])
    }`)
    expect(result).toEqual({ ok: true, value: Array(9).fill('undefined') })
  })

  it('finds no host through constructor chains', async () => {
    const result = await run(`function verify() {
      const F = (() => {}).constructor.constructor
      return [typeof F('return this')().process, typeof this.constructor.constructor('return typeof process')]
    }`)
    expect(result).toEqual({ ok: true, value: ['undefined', 'function'] })
  })

  it('refuses import, static or dynamic', async () => {
    expect((await run('import fs from "fs"; function verify() { return 1 }')).ok).toBe(false)
    const dynamic = await run('function verify() { return import("fs") }')
    expect(dynamic.ok ? dynamic.value : null).not.toMatchObject({ readFileSync: expect.anything() })
  })

  it('keeps prototype pollution inside one run', async () => {
    await run(
      'function verify() { Object.prototype.polluted = "yes"; globalThis.leak = "secret"; return 1 }',
    )
    const next = await run(
      'function verify() { return [({}).polluted ?? null, globalThis.leak ?? null] }',
    )
    expect(next).toEqual({ ok: true, value: [null, null] })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('sees only the arguments it was given', async () => {
    const result = await run(
      'function verify(req) { return Object.keys(globalThis).filter((k) => /secret|token|project/i.test(k)) }',
      [{ body: 'x' }],
    )
    expect(result).toEqual({ ok: true, value: [] })
  })

  it('refuses an answer over 1 MiB', async () => {
    const result = await run('function verify() { return "x".repeat(2 * 1024 * 1024) }')
    expect(result.ok).toBe(false)
  })
})

describe('request templates', () => {
  const event = { type: 'record.created', data: { id: 'r1' } }
  const render = (text: string) => {
    const parsed = parseTemplate(text)
    if (!parsed.ok) return { refused: true }
    return renderTemplate(parsed.template, { event }, { uuid: () => 'u', now: () => new Date(0) })
  }

  it('refuses script and filter expressions at parse time', () => {
    expect(render('{"a": "{{$.event[?(@.constructor)]}}"}')).toEqual({ refused: true })
    expect(render('{"a": "{{$.event[(process.exit())]}}"}')).toEqual({ refused: true })
  })

  it('reads nothing but the event: prototype paths find nothing', () => {
    for (const path of [
      '$.constructor',
      '$.__proto__',
      '$.event.constructor.constructor',
      '$.event.__proto__.toString',
      '$.process',
      '$.env',
    ]) {
      const out = render(`{"a": {{${path}}}}`)
      expect(out, path).not.toHaveProperty('a.name')
      expect(JSON.stringify(out), path).not.toMatch(/function|process|env/)
    }
  })

  it('a recursive descent over the context finds only the event', () => {
    const out = JSON.stringify(render('{"all": {{$..*}}}'))
    expect(out).toContain('record.created')
    expect(out).not.toMatch(/project|secret|function/)
  })
})
