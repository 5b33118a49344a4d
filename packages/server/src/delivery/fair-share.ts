import type { ProjectLoad } from './store.ts'

/*
 * Fair scheduling across projects. Each claim walks the least-served project first (its sends in
 * flight here divided by its weight), and a project may hold at most its weighted share of the
 * process's sends in flight: maxInFlight x weight / (the active projects' weights + 1). The +1
 * keeps room for a project that has nothing in flight yet, so a million-delivery backlog or a
 * hanging endpoint in one project cannot fill every slot before another project's first
 * delivery arrives.
 */

/**
 * Each active project's share (most sends in flight) and room left under it.
 * @example fairShares([{ projectId: 'a', inFlight: 200, weight: 1 }], 500) // [{ …, share: 250, room: 50 }]
 */
export function fairShares(
  projects: readonly ProjectLoad[],
  maxInFlight: number,
  /** Store pressure's factor on every share (pressure.ts). Default: 1. */
  scale = 1,
): (ProjectLoad & { share: number; room: number })[] {
  const weights = projects.reduce((sum, p) => sum + p.weight, 0)
  return projects.map((p) => {
    const share = Math.ceil(((maxInFlight * p.weight) / (weights + 1)) * scale)
    return { ...p, share, room: Math.max(0, share - p.inFlight) }
  })
}
