import { createHash, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { type Queryable } from '../store/index.ts'
import { newToken } from '../ids.ts'
import { createProject, type ProjectCreatedHook } from './projects.ts'
import { countProjects, initInstanceSetting, readInstanceSetting } from './store.ts'

const adminTokenSetting = 'admin_token_sha256'

/** What a first start created, to print once. */
export interface FirstStartCredentials {
  projectId: string
  apiKey: string
  adminToken: string
  apiUrl: string
  dashboardUrl: string
}

/**
 * On an empty store: generates the instance admin token (unless configured) and a default project.
 * @returns the new credentials, or null when the store already had projects
 */
export async function bootstrapEmptyStore(
  q: Queryable,
  options: {
    configuredAdminToken: string | null
    publicUrl: string
    hooks: readonly ProjectCreatedHook[]
  },
): Promise<FirstStartCredentials | null> {
  if ((await countProjects(q)) > 0) return null
  const adminToken = options.configuredAdminToken ?? newToken('sya_')
  if (!options.configuredAdminToken)
    await initInstanceSetting(q, adminTokenSetting, sha256(adminToken))
  const { project, apiKey } = await createProject(
    q,
    { name: 'Default project', ownerEmail: null },
    options.hooks,
  )
  return {
    projectId: project.id,
    apiKey,
    adminToken,
    apiUrl: `${options.publicUrl}/v1`,
    dashboardUrl: `${options.publicUrl}/`,
  }
}

/** Writes the first-start credentials beside the data, readable by the owner only. */
export async function writeCredentialsFile(
  dataDir: string,
  credentials: FirstStartCredentials,
): Promise<string> {
  const file = path.join(dataDir, 'credentials.json')
  await fs.mkdir(dataDir, { recursive: true })
  await fs.writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 })
  await fs.chmod(file, 0o600)
  return file
}

/**
 * Points an existing credentials file at the address the engine listens on now (`apiUrl`,
 * `dashboardUrl`), so the CLI finds it after a start on another port. Keeps the file's other
 * fields and mode; does nothing when there is no file (PostgreSQL, or deleted).
 * @returns the file, or null when there was none
 * @example await recordServerUrl('./.switchyard', 'http://127.0.0.1:9000')
 */
export async function recordServerUrl(dataDir: string, baseUrl: string): Promise<string | null> {
  const file = path.join(dataDir, 'credentials.json')
  let credentials: Record<string, unknown>
  try {
    credentials = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    // A missing file is normal; one that is not JSON is the CLI's to report when it reads it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError)
      return null
    throw error
  }
  const urls = { apiUrl: `${baseUrl}/v1`, dashboardUrl: `${baseUrl}/` }
  if (credentials.apiUrl === urls.apiUrl && credentials.dashboardUrl === urls.dashboardUrl)
    return file
  // Written beside and renamed over, so a crash never leaves half a file holding the key.
  const next = `${file}.${process.pid}.tmp`
  await fs.writeFile(next, JSON.stringify({ ...credentials, ...urls }, null, 2) + '\n', {
    mode: 0o600,
  })
  await fs.rename(next, file)
  return file
}

/**
 * Checks an instance admin token: the configured one when set, else the one generated at first start.
 * Returns a function so the stored hash is read once.
 */
export async function createInstanceTokenCheck(
  q: Queryable,
  configured: string | null,
): Promise<(token: string) => boolean> {
  const expected = configured ? sha256(configured) : await readInstanceSetting(q, adminTokenSetting)
  return (token) => {
    if (!expected) return false
    return timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(expected, 'hex'))
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}
