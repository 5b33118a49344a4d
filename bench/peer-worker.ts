/**
 * One peer queue's worker for bench/deliver-peers, in its own process so its CPU is its own.
 * Built the way a user of each queue would build a webhook sender: one job per delivery, the body
 * rendered from the job's event, signed with standardwebhooks, POSTed with undici, a non-2xx
 * thrown so the queue's own retries take over. Prints `{"ready":true}` once it works.
 *
 *   PEER_SYSTEM      graphile-worker | bullmq | pg-boss
 *   PEER_SETTINGS    JSON: graphile-worker {concurrency, localQueue?, completeJobBatchDelay?},
 *                    bullmq {concurrency}, pg-boss {workers, batchSize}
 *   PEER_TARGET      the receiver URL to POST to
 *   PEER_SECRET      the whsec_ secret the receiver checks
 *   DATABASE_URL     for the PostgreSQL queues; QUEUE_NAME for all
 */
import { Worker as BullWorker } from 'bullmq'
import { Logger, run } from 'graphile-worker'
import PgBoss from 'pg-boss'
import { Webhook } from 'standardwebhooks'
import { Pool } from 'undici'

export interface PeerEvent {
  id: string
  type: string
  data: unknown
}

const system = process.env.PEER_SYSTEM ?? ''
const settings = JSON.parse(process.env.PEER_SETTINGS ?? '{}') as Record<string, number>
const target = new URL(process.env.PEER_TARGET ?? '')
const webhook = new Webhook(process.env.PEER_SECRET ?? '')
const databaseUrl = process.env.DATABASE_URL ?? ''
const queueName = process.env.QUEUE_NAME ?? 'deliveries'
const http = new Pool(target.origin, { connections: 128 })

/** Renders, signs and POSTs one delivery; throws on a non-2xx so the queue retries it. */
async function deliver(jobId: string, event: PeerEvent): Promise<void> {
  const body = JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: new Date().toISOString(),
    data: event.data,
  })
  const now = new Date()
  const res = await http.request({
    method: 'POST',
    path: target.pathname,
    headers: {
      'content-type': 'application/json',
      'webhook-id': jobId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': webhook.sign(jobId, now, body),
    },
    body,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  })
  await res.body.dump()
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`answered ${res.statusCode}`)
}

async function startGraphileWorker(): Promise<() => Promise<void>> {
  const runner = await run({
    connectionString: databaseUrl,
    concurrency: settings.concurrency,
    maxPoolSize: Math.min(settings.concurrency! + 2, 20),
    noHandleSignals: true,
    logger: new Logger(() => () => {}),
    taskList: {
      deliver: async (payload, helpers) => deliver(`msg_${helpers.job.id}`, payload as PeerEvent),
    },
    preset: {
      worker: {
        ...(settings.localQueue ? { localQueue: { size: settings.localQueue } } : {}),
        ...(settings.completeJobBatchDelay !== undefined
          ? { completeJobBatchDelay: settings.completeJobBatchDelay }
          : {}),
      },
    },
  })
  return () => runner.stop()
}

async function startBullmq(): Promise<() => Promise<void>> {
  const worker = new BullWorker<PeerEvent>(
    queueName,
    async (job) => deliver(`msg_${job.id}`, job.data),
    {
      connection: { host: '127.0.0.1', port: 6379 },
      concurrency: settings.concurrency!,
    },
  )
  await worker.waitUntilReady()
  return () => worker.close(true)
}

async function startPgBoss(): Promise<() => Promise<void>> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: settings.workers! + 2 })
  boss.on('error', (err: Error) => console.error('pg-boss:', err.message))
  await boss.start()
  await boss.createQueue(queueName)
  for (let w = 0; w < settings.workers!; w++) {
    await boss.work<PeerEvent>(
      queueName,
      { batchSize: settings.batchSize!, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(jobs.map((job) => deliver(`msg_${job.id}`, job.data)))
      },
    )
  }
  return () => boss.stop({ graceful: false, wait: true, timeout: 5000 })
}

const starters: Record<string, () => Promise<() => Promise<void>>> = {
  'graphile-worker': startGraphileWorker,
  bullmq: startBullmq,
  'pg-boss': startPgBoss,
}
const start = starters[system]
if (!start) throw new Error(`PEER_SYSTEM must be one of ${Object.keys(starters).join(', ')}`)
const stop = await start()
process.stdout.write(JSON.stringify({ ready: true }) + '\n')
process.on('SIGTERM', () => {
  void stop()
    .catch(() => {})
    .finally(() => process.exit(0))
})
