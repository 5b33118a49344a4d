/**
 * The disk-full scenario of bench/chaos: the embedded store (PGlite, role all) on a tmpfs that
 * is shrunk to a few MB above what a fresh store uses, then filled with events until the server
 * refuses. Records what the refusal looked like and whether the server still answered; then the
 * process is stopped, the filesystem given room, the server started again on the same data dir,
 * and every event accepted before the refusal must be there, delivered, with its indexes intact
 * (amcheck's bt_index_check over every B-tree index).
 *
 * Needs root (mount -t tmpfs); without it the scenario reports that it could not run.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { amcheck } from '@electric-sql/pglite/contrib/amcheck'
import { api, sleep, startServer, waitUntil, type Receiver, type RunningServer } from './lib.ts'

const run = promisify(execFile)
const headroomMb = 6

export async function runDiskFull(
  receiver: Receiver,
  log: (msg: string) => void,
): Promise<Record<string, unknown>> {
  const mount = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-disk-'))
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', mount])
  } catch (error) {
    await fs.rm(mount, { recursive: true, force: true })
    return { ran: false, reason: `cannot mount a tmpfs (needs root): ${String(error)}` }
  }
  try {
    return await fillAndRecover(mount, receiver, log)
  } finally {
    await run('umount', ['-l', mount]).catch(() => {})
    await fs.rm(mount, { recursive: true, force: true })
  }
}

async function fillAndRecover(mount: string, receiver: Receiver, log: (msg: string) => void) {
  const store = { kind: 'pglite' as const, url: null, dataDir: path.join(mount, 'data') }
  const first = await startServer({ ...store, drop: async () => {} })
  const call = api(first.url, first.apiKey)
  await call('PUT', '/v1/settings', { retrySchedule: [1, 1, 2, 2, 3] })
  await call('POST', '/v1/destinations', { url: `${receiver.url}/ok/disk`, events: ['*'] })
  const usedKb = await usedKilobytes(mount)
  await run('mount', ['-o', `remount,size=${usedKb + headroomMb * 1024}k`, mount])
  log(`disk-full: store uses ${Math.round(usedKb / 1024)} MB; ${headroomMb} MB left`)
  const fill = await fillUntilRefused(first)
  log(`disk-full: ${fill.accepted.length} events accepted, then ${fill.refusal}`)
  const probe = await probeWhileFull(first)
  const stoppedBy = await stopWithin(first, 10_000)
  await run('mount', ['-o', 'remount,size=256m', mount])
  const okBefore = (await receiver.get<{ ok: number }>('/stats')).ok
  const second = await startServer({ ...store, drop: async () => {} }).catch(
    (error: unknown) => error as Error,
  )
  if (second instanceof Error)
    return { ran: true, ...fill.summary, ...probe, stoppedBy, restarted: false, missing: 'n/a' }
  const afterRestart = await fetch(second.url + '/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(event('after-restart')),
  })
  await waitUntil(
    async () =>
      (await receiver.get<{ ok: number }>('/stats')).ok - okBefore >= fill.accepted.length + 1,
    60_000,
    500,
  )
  await sleep(1000)
  await stopWithin(second, 10_000)
  const check = await inspect(store.dataDir, fill.accepted, receiver)
  return {
    ran: true,
    ...fill.summary,
    ...probe,
    stoppedBy,
    restarted: true,
    acceptedAfterRestart: afterRestart.status === 202,
    ...check,
  }
}

async function usedKilobytes(dir: string): Promise<number> {
  const s = await fs.statfs(dir)
  return Math.ceil(((s.blocks - s.bfree) * s.bsize) / 1024)
}

/** ~2 KB of base64 per event: compression cannot make room. */
function event(recordId: string) {
  return {
    type: 'record.created',
    userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
    integration: 'googledrive',
    data: { syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0', model: 'files', recordId },
  }
}

async function post(server: RunningServer, body: unknown, timeoutMs = 10_000) {
  try {
    const res = await fetch(server.url + '/v1/events/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    return { status: res.status, text }
  } catch (error) {
    return { status: 0, text: error instanceof Error ? error.name : String(error) }
  }
}

async function fillUntilRefused(server: RunningServer) {
  const accepted: string[] = []
  for (let i = 0; i < 2000; i++) {
    const events = Array.from({ length: 50 }, () => event(randomBytes(1500).toString('base64')))
    const res = await post(server, { events })
    if (res.status === 202) {
      accepted.push(...(JSON.parse(res.text) as { data: { id: string }[] }).data.map((e) => e.id))
      continue
    }
    const code = /"code":"([^"]+)"/.exec(res.text)?.[1]
    const refusal = res.status === 0 ? `no answer (${res.text})` : `${res.status} ${code ?? ''}`
    const clearError = res.status === 507 || (res.status === 503 && code !== 'internal_error')
    return { accepted, refusal, summary: { eventsAccepted: accepted.length, refusal, clearError } }
  }
  throw new Error('the disk never filled: 2,000 batches accepted')
}

/** Does the server still answer (reads and writes, 5 s each) while the disk stays full? */
async function probeWhileFull(server: RunningServer) {
  const write = await post(server, { events: [event('probe')] }, 5000)
  const read = await fetch(server.url + '/v1/events?limit=1', {
    headers: { authorization: `Bearer ${server.apiKey}` },
    signal: AbortSignal.timeout(5000),
  }).then(
    (res) => String(res.status),
    () => 'no answer in 5 s',
  )
  return {
    writeWhileFull: write.status === 0 ? 'no answer in 5 s' : String(write.status),
    readWhileFull: read,
  }
}

async function stopWithin(server: RunningServer, ms: number): Promise<string> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return 'had exited'
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  const timedOut = await Promise.race([exited.then(() => false), sleep(ms).then(() => true)])
  if (!timedOut) return 'SIGTERM'
  server.child.kill('SIGKILL')
  await exited
  return `SIGKILL (SIGTERM ignored for ${ms / 1000} s)`
}

/** Opens the data dir directly: accepted events, their deliveries, and amcheck on every index. */
async function inspect(dataDir: string, accepted: string[], receiver: Receiver) {
  const db = await PGlite.create(dataDir, { extensions: { amcheck } })
  try {
    const stored = await db.query<{ n: number }>(
      'select count(*)::int as n from events where id = any($1::uuid[])',
      [accepted],
    )
    const deliveries = await db.query<{ id: string }>(
      'select id from deliveries where event_id = any($1::uuid[])',
      [accepted],
    )
    const receipts = await receiver.get<Record<string, number>>('/ids')
    const delivered = deliveries.rows.filter((d) => (receipts[d.id] ?? 0) > 0).length
    const duplicates = deliveries.rows.reduce(
      (n, d) => n + Math.max(0, (receipts[d.id] ?? 0) - 1),
      0,
    )
    await db.exec('create extension if not exists amcheck')
    const indexes = await db.query<{ oid: number }>(
      `select c.oid from pg_class c join pg_am a on a.oid = c.relam
        where c.relkind = 'i' and a.amname = 'btree' and c.relpersistence = 'p'`,
    )
    let corruptIndexes = 0
    for (const { oid } of indexes.rows)
      await db
        .query('select bt_index_check($1::regclass, true)', [oid])
        .catch(() => corruptIndexes++)
    const eventsStored = stored.rows[0]!.n
    return {
      eventsStored,
      deliveriesExpected: accepted.length,
      delivered,
      duplicates,
      indexesChecked: indexes.rows.length,
      corruptIndexes,
      missing: accepted.length - eventsStored + (accepted.length - delivered),
    }
  } finally {
    await db.close()
  }
}
