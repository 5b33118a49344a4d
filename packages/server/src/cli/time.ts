import { InvalidArgumentError } from 'commander'

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/**
 * A point in time from the command line: ISO 8601 (`2025-01-31T09:00:00Z`, `2025-01-31`) or a
 * duration before now (`90s`, `30m`, `12h`, `7d`, `2w`).
 * @example parseTime('2h', new Date('2025-01-31T12:00:00Z')) // 2025-01-31T10:00:00.000Z
 */
export function parseTime(value: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([smhdw])$/.exec(value.trim())
  if (relative) return new Date(now.getTime() - Number(relative[1]) * units[relative[2]!]! * 1000)
  const at = Date.parse(value)
  if (Number.isNaN(at))
    throw new InvalidArgumentError('Expected an ISO 8601 time or a duration ago, like 2h or 7d.')
  return new Date(at)
}
