import { Redis } from 'ioredis'
import { codeOf, messageOf } from './errors.ts'
import type { BrokerDriver, BrokerErrorClass } from './types.ts'

/*
 * Redis Streams: one connection per destination, without ioredis's reconnects or offline queue
 * (a command on a lost connection fails now; the delivery's retry schedule takes over). One Lua
 * script makes the publish idempotent by webhook-id: it adds the entry (XADD NOMKSTREAM, MAXLEN
 * ~ when set) and remembers the entry id under `<stream>:switchyard-dedupe:<webhook-id>` for a
 * day, so a retry whose first reply was lost answers with the first entry instead of a second.
 * The stream must exist (XGROUP CREATE … MKSTREAM): a missing one fails as not_found, like a
 * missing exchange or JetStream stream, instead of writing to a mistyped key nobody reads.
 */

const dedupeSeconds = 86_400

// KEYS[1] stream, KEYS[2] dedupe key; ARGV[1] maxLen ('0': none), ARGV[2] TTL, then field, value…
const publishScript = `
local seen = redis.call('GET', KEYS[2])
if seen then return {seen, 1} end
local args = {'XADD', KEYS[1], 'NOMKSTREAM'}
if ARGV[1] ~= '0' then
  table.insert(args, 'MAXLEN'); table.insert(args, '~'); table.insert(args, ARGV[1])
end
table.insert(args, '*')
for i = 3, #ARGV do table.insert(args, ARGV[i]) end
local id = redis.call(unpack(args))
if not id then return {false, 0} end
redis.call('SET', KEYS[2], id, 'EX', tonumber(ARGV[2]))
return {id, 0}`

export const redisDriver: BrokerDriver = {
  async connect(target) {
    const { url, broker } = target
    const db = Number(url.pathname.slice(1) || 0)
    const client = new Redis({
      host: target.address,
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      db: Number.isInteger(db) ? db : 0,
      ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
      connectionName: target.clientName,
      connectTimeout: target.timeoutMs,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
    })
    let open = true
    // A refused AUTH arrives here, and connect() then only says "Connection is closed".
    let lastError: unknown = null
    client.on('error', (error) => (lastError = error))
    client.on('end', () => (open = false))
    try {
      await client.connect()
    } catch (error) {
      client.disconnect()
      throw lastError ?? error
    }
    const stream = broker.stream ?? ''
    return {
      get open() {
        return open && client.status === 'ready'
      },
      close: async () => {
        open = false
        await client.quit().catch(() => client.disconnect())
      },
      publish: async (message) => {
        const fields = Object.entries({ ...message.headers, body: message.body }).flat()
        const dedupeKey = `${stream}:switchyard-dedupe:${message.id}`
        const [id, duplicate] = (await client.eval(
          publishScript,
          2,
          stream,
          dedupeKey,
          String(broker.maxLen ?? 0),
          String(dedupeSeconds),
          ...fields,
        )) as [string | null, number]
        if (!id) throw Object.assign(new Error(`no stream ${stream}`), { code: 'NO_STREAM' })
        return duplicate ? `XADD ${id}, added by an earlier attempt` : `XADD ${id}`
      },
    }
  },
  classify(error) {
    const code = codeOf(error)
    const message = messageOf(error)
    if (code === 'NO_STREAM')
      return {
        errorClass: 'not_found',
        message: `${message}: create it first (XGROUP CREATE <stream> <group> $ MKSTREAM)`,
      }
    return { errorClass: redisClass(code, message), message }
  },
}

function redisClass(code: string, message: string): BrokerErrorClass {
  if (/WRONGPASS|NOAUTH|NOPERM|invalid password|AUTH/i.test(message)) return 'auth'
  if (/WRONGTYPE/.test(message)) return 'not_found'
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'timeout'
  if (/^(OOM|READONLY|MISCONF|BUSY|NOSCRIPT|ERR) /.test(message)) return 'nack'
  return 'connect'
}
