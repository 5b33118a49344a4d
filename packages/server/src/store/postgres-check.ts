import pg from 'pg'

/**
 * Start-up checks of `DATABASE_URL`, each failure one sentence naming the fix. Without them a
 * wrong URL surfaced as a pool error from the first migration, with a stack.
 */

/** SQLSTATEs a first connection can answer with (PostgreSQL, Appendix A). */
const sqlstate = {
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  unknownDatabase: '3D000',
} as const

/** Where a DATABASE_URL points, for messages: never its user or password. */
export interface PostgresTarget {
  /** `host:port`, or the socket directory. */
  address: string
  database: string
  user: string
}

/**
 * Parses DATABASE_URL, or answers why it is not one (without echoing it: it holds a password).
 * @example parsePostgresUrl('postgres://app:pw@db:5432/switchyard') // { address: 'db:5432', … }
 */
export function parsePostgresUrl(value: string): PostgresTarget | { problem: string } {
  const shape = 'write it as postgres://user:password@host:5432/database'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { problem: `DATABASE_URL is not a URL; ${shape}.` }
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    return { problem: `DATABASE_URL must start with postgres://, not ${url.protocol}//; ${shape}.` }
  const socketDir = url.searchParams.get('host')
  const host = url.hostname || socketDir || 'localhost'
  return {
    address: host.startsWith('/') ? host : `${host}:${url.port || '5432'}`,
    database: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username),
    user: decodeURIComponent(url.username) || 'the default user',
  }
}

/**
 * Connects once; null when PostgreSQL answers, else why not, naming the fix.
 * @example const problem = await checkPostgres(url, target) // 'cannot connect to … (ECONNREFUSED) …'
 */
export async function checkPostgres(
  url: string,
  target: PostgresTarget,
  timeoutMs = 15_000,
): Promise<string | null> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([
      client.connect().then(() => 'connected' as const),
      timedOut,
    ])
    if (outcome === 'timeout')
      return `no answer from PostgreSQL at ${target.address} within ${timeoutMs / 1000} s; check the host and port in DATABASE_URL and that a firewall lets them through.`
    return null
  } catch (error) {
    return describeFailure(error as { code?: unknown }, target)
  } finally {
    clearTimeout(timer)
    void client.end().catch(() => {})
  }
}

function describeFailure(error: { code?: unknown; message?: unknown }, target: PostgresTarget) {
  const at = `PostgreSQL at ${target.address}`
  switch (error.code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${at} (connection refused): start PostgreSQL, or fix the host and port in DATABASE_URL.`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${at}: the host name does not resolve; fix the host in DATABASE_URL.`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `cannot connect to ${at} (${error.code}): check the host in DATABASE_URL and the network to it.`
    case sqlstate.invalidPassword:
    case sqlstate.invalidAuthorization:
      return `${at} refused the login of ${target.user}; fix the user or password in DATABASE_URL.`
    case sqlstate.unknownDatabase:
      return `${at} has no database "${target.database}"; create it (createdb ${target.database}) or fix DATABASE_URL.`
    default: {
      const why = typeof error.code === 'string' ? error.code : String(error.message ?? error)
      return `cannot connect to ${at} (${why}); check DATABASE_URL.`
    }
  }
}
