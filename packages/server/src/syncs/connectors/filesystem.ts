import type { Stats } from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { apiError, type ErrorDetail } from '../../errors.ts'
import { maxContentBytes } from '../pages.ts'
import { createPathPolicy, resolveInside, type PathPolicy } from './filesystem-paths.ts'
import { readInside } from './filesystem-read.ts'
import {
  listTree,
  passTooLarge,
  type FilesystemLimits,
  type ListedFile,
} from './filesystem-walk.ts'
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
  /** Directories syncs may read below (the operator's SWITCHYARD_FS_CONNECTOR_ROOTS). */
  roots: readonly string[]
  /** The server's data dir: never read, even inside a root. */
  dataDir: string
  /** Bounds of one pass. (Default: 10,000 files, 16 levels, 1 GiB per pass, 25 MiB per file) */
  limits?: Partial<FilesystemLimits>
  /** Records per page. (Default: 200) */
  pageSize?: number
}

/** The bounds one pass of a `filesystem` sync gets unless the operator sets others. */
export const defaultFilesystemLimits: FilesystemLimits = {
  maxFiles: 10_000,
  maxDepth: 16,
  maxPassBytes: 1024 * 1024 * 1024,
  maxFileBytes: maxContentBytes,
}

const disabledMessage =
  'The filesystem connector is off; the operator enables it with SWITCHYARD_FS_CONNECTOR_ROOTS (the directories syncs may read).'

/**
 * The `filesystem` connector: a directory tree as the `files` model. It reads the server's own
 * disk, so it is off (every sync refused, existing ones failing with `connector_disabled`) until
 * the operator names `roots`; then a sync's path, each pass and each content read must resolve
 * (links and `..` followed) inside a root, outside the data dir. External ids are paths relative
 * to the configured `path` (with `/`); the walk follows no symbolic link and skips special files.
 * INCREMENTAL passes list files modified at or after the newest modification time the previous
 * pass saw (the cursor); a file whose time went backwards (`cp -p`) and deletions show up in the
 * next FULL pass.
 * @example connectors: [filesystemConnector({ roots: ['/srv/shared'], dataDir: config.dataDir })]
 */
export function filesystemConnector(options?: FilesystemOptions): Connector {
  if (!options || options.roots.length === 0) return disabledConnector()
  const policy = createPathPolicy(options)
  const limits = { ...defaultFilesystemLimits, ...options.limits }
  const pageSize = options.pageSize ?? 200
  const outsideMessage = `must be a directory inside the filesystem connector's roots (${policy.roots.map((r) => r.configured).join(', ')})`
  const where = { policy, limits, outsideMessage }
  return {
    integration: 'filesystem',
    pipelines: ['files'],
    checkConfiguration: (configuration) => checkConfiguration(where, configuration),
    listAll: (context) => pass(where, context, null, pageSize),
    listChanges: (context, cursor) =>
      pass(where, context, cursor === null ? null : Number(cursor), pageSize),
    readContent: (context, externalId) => readContent(where, context, externalId),
  }
}

/** Registered while off, so its syncs are refused and existing ones fail instead of lingering. */
function disabledConnector(): Connector {
  const refusal = () => new ConnectorError('connector_disabled', disabledMessage)
  const pass = (): ConnectorPass => ({
    pages: { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refusal()) }) },
    cursor: () => null,
  })
  return {
    integration: 'filesystem',
    pipelines: ['files'],
    checkConfiguration: async () => {
      throw apiError('connector_disabled', disabledMessage)
    },
    listAll: pass,
    listChanges: pass,
    readContent: () => Promise.reject(refusal()),
  }
}

interface Where {
  policy: PathPolicy
  limits: FilesystemLimits
  /** One answer for every path not inside the roots, whether it exists or not. */
  outsideMessage: string
}

async function checkConfiguration(
  where: Where,
  configuration: Record<string, unknown>,
): Promise<ErrorDetail[]> {
  const dir = configuration.path
  const problem = (message: string) => [{ path: '/configuration/path', message }]
  if (typeof dir !== 'string' || !path.isAbsolute(dir) || dir.includes('\0'))
    return problem('must be an absolute directory path')
  const resolved = await resolveInside(where.policy, dir)
  if (resolved.kind === 'outside') return problem(where.outsideMessage)
  if (resolved.kind === 'unreadable') return problem(`cannot be read (${resolved.code})`)
  const stats = await fsp.stat(resolved.real).catch(() => null)
  return stats?.isDirectory() ? [] : problem('must be a directory, not a file')
}

/**
 * The sync's directory as a real path, checked again at every pass and content read.
 * @throws ConnectorError `10006` when it is outside the roots, unreadable or not a directory
 */
async function syncRoot(where: Where, context: ConnectorContext): Promise<string> {
  const dir = context.configuration.path
  const resolved = await resolveInside(where.policy, typeof dir === 'string' ? dir : '')
  if (resolved.kind === 'outside')
    throw new ConnectorError('10006', `The sync's path ${where.outsideMessage}.`)
  if (resolved.kind === 'unreadable')
    throw new ConnectorError('10006', `The sync's path cannot be read (${resolved.code}).`)
  const stats = await fsp.stat(resolved.real).catch(() => null)
  if (!stats?.isDirectory())
    throw new ConnectorError('10006', "The sync's path is not a directory.")
  return resolved.real
}

function pass(
  where: Where,
  context: ConnectorContext,
  sinceMs: number | null,
  pageSize: number,
): ConnectorPass {
  let newest = sinceMs ?? 0
  async function* pages(): AsyncIterable<ConnectorRecord[]> {
    const root = await syncRoot(where, context)
    const listed = await listTree(where.policy, where.limits, root)
    for (const file of listed) newest = Math.max(newest, file.stats.mtimeMs)
    const changed = listed.filter((file) => sinceMs === null || file.stats.mtimeMs >= sinceMs)
    checkPassBytes(where.limits, changed)
    for (let i = 0; i < changed.length; i += pageSize)
      yield changed.slice(i, i + pageSize).map((file) => fileRecord(file.relative, file.stats))
  }
  return { pages: pages(), cursor: () => String(newest) }
}

/** Files above the per-file limit are not read (they become record errors), so they do not count. */
function checkPassBytes(limits: FilesystemLimits, files: ListedFile[]): void {
  let bytes = 0
  for (const { stats } of files) if (stats.size <= limits.maxFileBytes) bytes += stats.size
  if (bytes > limits.maxPassBytes) throw passTooLarge(limits)
}

/**
 * One file's content. The external id must stay below the sync's path (no `..`, `.`, empty or
 * absolute segments, no NUL), and the file is read through `readInside`.
 * @throws ConnectorError `10005` (a record error) for anything but content or a vanished file
 */
async function readContent(
  where: Where,
  context: ConnectorContext,
  externalId: string,
): Promise<Buffer | null> {
  const refuse = (message: string) => new ConnectorError('10005', message)
  if (!isRelativeFileId(externalId)) throw refuse(`The file ${where.outsideMessage}.`)
  const root = await syncRoot(where, context)
  const file = path.join(root, ...externalId.split('/'))
  const outcome = await readInside(where.policy, file, where.limits.maxFileBytes)
  switch (outcome.kind) {
    case 'content':
      return outcome.content
    case 'missing':
      return null
    case 'outside':
      throw refuse(`The file ${where.outsideMessage}.`)
    case 'not_regular':
      throw refuse('The file is not a regular file (a FIFO, socket or device).')
    case 'too_large':
      throw refuse(
        `The file is ${outcome.size} bytes or more; the content limit is ${where.limits.maxFileBytes}.`,
      )
    case 'unreadable':
      throw refuse(`The file cannot be read (${outcome.code}).`)
  }
}

/** @example isRelativeFileId('docs/a.md') // true; isRelativeFileId('../x') // false */
export function isRelativeFileId(id: string): boolean {
  if (id === '' || id.includes('\0') || path.isAbsolute(id)) return false
  return id
    .split('/')
    .every(
      (s) => s !== '' && s !== '.' && s !== '..' && (path.sep === '/' || !s.includes(path.sep)),
    )
}

/**
 * A file as a record: the fields of Paragon's File schema the disk knows (createdAt, updatedAt,
 * parentFolderId: the folder's path relative to the sync's, '' for the sync's own), plus `path`.
 * Stored records written with the earlier `parentFolder` key are renamed by migration 0017.
 */
function fileRecord(relative: string, stats: Stats): ConnectorRecord {
  const parent = path.posix.dirname(relative)
  return {
    externalId: relative,
    name: path.posix.basename(relative),
    mimeType: mimeTypeOf(relative),
    data: {
      path: relative,
      parentFolderId: parent === '.' ? '' : parent,
      createdAt: stats.birthtime.toISOString(),
      updatedAt: stats.mtime.toISOString(),
    },
  }
}
