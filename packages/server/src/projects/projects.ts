import { withTransaction, type Queryable, type Tx } from '../store/index.ts'
import { newId } from '../ids.ts'
import { createApiKey } from './api-keys.ts'
import { deliverySettingsOf } from './settings.ts'
import { insertProject, type ProjectRow } from './store.ts'

/** Work other features do inside the transaction that creates a project (e.g. a default destination). */
export type ProjectCreatedHook = (tx: Tx, project: ProjectRow) => Promise<void>

/**
 * Creates a project with its first `admin` key, in one transaction.
 * @example const { project, apiKey } = await createProject(db.kysely, { name: 'Acme', ownerEmail: null }, [])
 */
export async function createProject(
  q: Queryable,
  input: { name: string; ownerEmail: string | null },
  hooks: readonly ProjectCreatedHook[],
): Promise<{ project: ProjectRow; apiKey: string }> {
  return withTransaction(q, async (tx) => {
    const project = await insertProject(tx, { id: newId(), ...input })
    const { key } = await createApiKey(tx, {
      projectId: project.id,
      name: 'default admin key',
      role: 'admin',
    })
    for (const hook of hooks) await hook(tx, project)
    return { project, apiKey: key }
  })
}

/** The API view of a project. */
export function projectOut(row: ProjectRow) {
  return {
    id: row.id,
    name: row.name,
    ownerEmail: row.owner_email,
    deliveryWeight: deliverySettingsOf(row.settings).deliveryWeight,
    createdAt: row.created_at.toISOString(),
  }
}

export const projectOutSchema = {
  type: 'object',
  required: ['id', 'name', 'ownerEmail', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    ownerEmail: { type: ['string', 'null'] },
    deliveryWeight: {
      type: 'integer',
      description:
        "The project's weight in each worker's fair share of sends (instance admin only).",
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const
