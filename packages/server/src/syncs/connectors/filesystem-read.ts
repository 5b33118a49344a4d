import fs from 'node:fs'
import fsp, { type FileHandle } from 'node:fs/promises'
import { codeOf, resolveInside, type PathPolicy } from './filesystem-paths.ts'

/** What reading one file gave. */
export type ReadOutcome =
  | { kind: 'content'; content: Buffer }
  | { kind: 'missing' } // vanished since it was listed
  | { kind: 'outside' } // not inside the roots (now): a link was swapped in, or the data dir
  | { kind: 'not_regular' } // a FIFO, socket or device swapped in since the listing
  | { kind: 'too_large'; size: number }
  | { kind: 'unreadable'; code: string }

// O_NOFOLLOW: a last component swapped for a link fails with ELOOP instead of being followed.
// O_NONBLOCK: a FIFO swapped in opens at once (then fails the regular-file check) instead of
// waiting forever for a writer. Neither changes how a regular file reads.
const openFlags =
  fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0)

/**
 * Reads at most `maxBytes` of `file` if it is a regular file inside the roots. The path is
 * resolved before opening, and after opening it is resolved again and must still name the very
 * file the descriptor holds (device and inode): a directory swapped for a link between the two
 * steps is caught, so what is read always has a name inside the roots.
 * @example await readInside(policy, '/srv/shared/a.txt', 25 * 1024 * 1024)
 */
export async function readInside(
  policy: PathPolicy,
  file: string,
  maxBytes: number,
): Promise<ReadOutcome> {
  const before = await resolveInside(policy, file)
  if (before.kind === 'outside') return before
  if (before.kind === 'unreadable')
    return before.code === 'ENOENT' || before.code === 'ENOTDIR' ? { kind: 'missing' } : before
  let handle: FileHandle
  try {
    handle = await fsp.open(before.real, openFlags)
  } catch (error) {
    const code = codeOf(error)
    if (code === 'ENOENT') return { kind: 'missing' }
    return code === 'ELOOP' ? { kind: 'outside' } : { kind: 'unreadable', code }
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) return { kind: 'not_regular' }
    const after = await resolveInside(policy, before.real)
    if (after.kind !== 'inside') return { kind: 'outside' }
    const named = await fsp.lstat(after.real).catch(() => null)
    if (!named || named.dev !== stats.dev || named.ino !== stats.ino) return { kind: 'outside' }
    if (stats.size > maxBytes) return { kind: 'too_large', size: stats.size }
    return await readBounded(handle, maxBytes)
  } finally {
    await handle.close()
  }
}

/** Reads to the end, but never more than `maxBytes` (a file may grow after its size was read). */
async function readBounded(handle: FileHandle, maxBytes: number): Promise<ReadOutcome> {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - total))
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
    if (bytesRead === 0) break
    chunks.push(chunk.subarray(0, bytesRead))
    total += bytesRead
    if (total > maxBytes) return { kind: 'too_large', size: total }
  }
  return { kind: 'content', content: Buffer.concat(chunks, total) }
}
