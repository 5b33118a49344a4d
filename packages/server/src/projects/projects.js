import { withTransaction } from "../store/index.js";
import { newId } from "../ids.js";
import { createApiKey } from "./api-keys.js";
import { insertProject } from "./store.js";
/**
 * Creates a project with its first `admin` key, in one transaction.
 * @example const { project, apiKey } = await createProject(db.kysely, { name: 'Acme', ownerEmail: null }, [])
 */
export async function createProject(q, input, hooks) {
    return withTransaction(q, async (tx) => {
        const project = await insertProject(tx, { id: newId(), ...input });
        const { key } = await createApiKey(tx, {
            projectId: project.id,
            name: 'default admin key',
            role: 'admin',
        });
        for (const hook of hooks)
            await hook(tx, project);
        return { project, apiKey: key };
    });
}
/** The API view of a project. */
export function projectOut(row) {
    return {
        id: row.id,
        name: row.name,
        ownerEmail: row.owner_email,
        createdAt: row.created_at.toISOString(),
    };
}
export const projectOutSchema = {
    type: 'object',
    required: ['id', 'name', 'ownerEmail', 'createdAt'],
    properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        ownerEmail: { type: ['string', 'null'] },
        createdAt: { type: 'string', format: 'date-time' },
    },
};
