import type { Dirent, Stats } from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { codeOf, hidden, type PathPolicy } from './filesystem-paths.ts'
import { ConnectorError } from './types.ts'

/** How much one pass may take from the disk. */
export interface FilesystemLimits {
  /** Files and directories one pass visits (links and special files count too). */
  maxFiles: number
  /** Directory levels below the sync's path. */
  maxDepth: number
  /** Content bytes one pass reads, all files together. */
  maxPassBytes: number
  /** Content bytes of one file; a larger file becomes a `10005` record error. */
  maxFileBytes: number
}

/** A regular file below the sync's path; `relative` uses `/`. */
export interface ListedFile {
  relative: string
  stats: Stats
}

/**
 * Lists the regular files below `root` (a real path inside the roots), depth first in name order
 * so pages are stable. Symbolic links are never followed and FIFOs, sockets and devices are
 * skipped; the data dir and pseudo-filesystems mounted inside are not entered.
 * @throws ConnectorError `connector_limit_exceeded` past `maxFiles` or `maxDepth`, `10006` for a
 *   directory that cannot be read
 * @example const files = await listTree(policy, defaultFilesystemLimits, '/srv/shared/docs')
 */
export async function listTree(
  policy: PathPolicy,
  limits: FilesystemLimits,
  root: string,
): Promise<ListedFile[]> {
  const files: ListedFile[] = []
  let visited = 0
  const visit = async (relativeDir: string, depth: number): Promise<void> => {
    const entries = await readDirectory(root, relativeDir, limits.maxFiles - visited, limits)
    visited += entries.length
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name
      const absolute = path.join(root, relative)
      if (entry.isDirectory()) {
        if (await hidden(policy, absolute)) continue
        if (depth + 1 > limits.maxDepth) throw tooDeep(limits.maxDepth)
        await visit(relative, depth + 1)
      } else if (entry.isFile()) {
        const stats = await fsp.lstat(absolute).catch(() => null)
        if (stats?.isFile()) files.push({ relative, stats })
      }
    }
  }
  await visit('', 0)
  return files
}

/** A directory's entries in name order; more than `room` of them is past the bound. */
async function readDirectory(
  root: string,
  relativeDir: string,
  room: number,
  limits: FilesystemLimits,
): Promise<Dirent[]> {
  const entries: Dirent[] = []
  try {
    // opendir streams: a directory of millions of entries stops at the bound, not in memory.
    for await (const entry of await fsp.opendir(path.join(root, relativeDir))) {
      if (entries.length >= room) throw tooMany(limits.maxFiles)
      entries.push(entry)
    }
  } catch (error) {
    if (error instanceof ConnectorError) throw error
    if (codeOf(error) === 'ENOENT') return [] // removed while we walked
    throw new ConnectorError(
      '10006',
      `The directory "${relativeDir || '.'}" of the sync cannot be read (${codeOf(error)}).`,
      { cause: error },
    )
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

function tooMany(maxFiles: number): ConnectorError {
  return limitError(
    `The directory holds more than ${maxFiles} files and directories, the most one pass visits (SWITCHYARD_FS_CONNECTOR_MAX_FILES)`,
  )
}

function tooDeep(maxDepth: number): ConnectorError {
  return limitError(
    `The directory nests deeper than ${maxDepth} levels, the most one pass descends (SWITCHYARD_FS_CONNECTOR_MAX_DEPTH)`,
  )
}

/**
 * The files a pass would read weigh more than `maxPassBytes` together.
 * @example throw passTooLarge(limits)
 */
export function passTooLarge(limits: FilesystemLimits): ConnectorError {
  return limitError(
    `The files to read weigh more than ${limits.maxPassBytes} bytes together, the most one pass reads (SWITCHYARD_FS_CONNECTOR_MAX_PASS_BYTES)`,
  )
}

function limitError(what: string): ConnectorError {
  return new ConnectorError(
    'connector_limit_exceeded',
    `${what}; sync a smaller directory, or ask the operator to raise the limit.`,
  )
}
