import type { Dirent, Stats } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { ErrorDetail } from '../../errors.ts'
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type ConnectorPass,
  type ConnectorRecord,
} from './types.ts'

const mimeTypes: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}

/** @example mimeTypeOf('notes/plan.md') // 'text/markdown' */
export function mimeTypeOf(file: string): string {
  return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export interface FilesystemOptions {
  /** Directories syncs may read below; unset allows any absolute path (see docs/syncs.md). */
  roots?: readonly string[]
  /** Records per page. (Default: 200) */
  pageSize?: number
}

/**
 * The `filesystem` connector: a directory tree as the `files` model. External ids are paths
 * relative to the configured `path` (with `/`); symbolic links are not followed, so a sync never
 * leaves its tree. INCREMENTAL passes list files modified at or after the newest modification
 * time the previous pass saw (the cursor); a file whose time went backwards (`cp -p`) and
 * deletions show up in the next FULL pass.
 * @example connectors: [filesystemConnector({ roots: ['/srv/shared'] })]
 */
export function filesystemConnector(options: FilesystemOptions = {}): Connector {
  const pageSize = options.pageSize ?? 200
  const roots = options.roots?.map((r) => path.resolve(r))
  return {
    integration: 'filesystem',
    pipelines: ['files'],
    checkConfiguration: (configuration) => checkConfiguration(configuration, roots),
    listAll: (context) => pass(rootOf(context), null, pageSize),
    listChanges: (context, cursor) =>
      pass(rootOf(context), cursor === null ? null : Number(cursor), pageSize),
    readContent: async (context, externalId) => {
      try {
        return await fs.readFile(path.join(rootOf(context), ...externalId.split('/')))
      } catch (error) {
        if (isMissing(error)) return null
        throw error
      }
    },
  }
}

function checkConfiguration(
  configuration: Record<string, unknown>,
  roots?: string[],
): ErrorDetail[] {
  const dir = configuration.path
  if (typeof dir !== 'string' || !path.isAbsolute(dir))
    return [{ path: '/configuration/path', message: 'must be an absolute directory path' }]
  const resolved = path.resolve(dir)
  if (roots && !roots.some((root) => resolved === root || resolved.startsWith(root + path.sep)))
    return [{ path: '/configuration/path', message: `must be inside ${roots.join(' or ')}` }]
  return []
}

function rootOf(context: ConnectorContext): string {
  return path.resolve(context.configuration.path as string)
}

function pass(root: string, sinceMs: number | null, pageSize: number): ConnectorPass {
  let newest = sinceMs ?? 0
  async function* pages(): AsyncIterable<ConnectorRecord[]> {
    await checkRoot(root)
    let page: ConnectorRecord[] = []
    for await (const { relative, stats } of walk(root, '')) {
      newest = Math.max(newest, stats.mtimeMs)
      if (sinceMs !== null && stats.mtimeMs < sinceMs) continue
      page.push(fileRecord(relative, stats))
      if (page.length < pageSize) continue
      yield page
      page = []
    }
    if (page.length > 0) yield page
  }
  return { pages: pages(), cursor: () => String(newest) }
}

function fileRecord(relative: string, stats: Stats): ConnectorRecord {
  const parent = path.posix.dirname(relative)
  return {
    externalId: relative,
    name: path.posix.basename(relative),
    mimeType: mimeTypeOf(relative),
    data: {
      path: relative,
      parentFolder: parent === '.' ? '' : parent,
      createdAt: stats.birthtime.toISOString(),
      updatedAt: stats.mtime.toISOString(),
    },
  }
}

/** Regular files below `dir`, depth first, in name order (stable pages). */
async function* walk(
  root: string,
  relativeDir: string,
): AsyncIterable<{ relative: string; stats: Stats }> {
  let entries: Dirent[]
  try {
    entries = await fs.readdir(path.join(root, relativeDir), { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) return // removed while we walked
    throw error
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name
    if (entry.isDirectory()) yield* walk(root, relative)
    else if (entry.isFile()) {
      const stats = await fs.lstat(path.join(root, relative)).catch(() => null)
      if (stats?.isFile()) yield { relative, stats }
    }
  }
}

async function checkRoot(root: string): Promise<void> {
  const stats = await fs.stat(root).catch((error: unknown) => {
    throw new ConnectorError(
      '10006',
      `The sync's directory ${root} cannot be read (${codeOf(error)}).`,
      {
        cause: error,
      },
    )
  })
  if (!stats.isDirectory())
    throw new ConnectorError('10006', `The sync's path ${root} is not a directory.`)
}

function isMissing(error: unknown): boolean {
  return codeOf(error) === 'ENOENT'
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? 'unknown error'
}
