import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { isUuid, newId } from '../ids.ts'
import { integrationTokenNames } from '../integrations/index.ts'
import type { Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { normalizeTrigger } from './definition.ts'
import { listOpenWindows } from './handshakes/window-store.ts'
import { describePresets } from './presets.ts'
import {
  triggerInSchema,
  triggerOutSchema,
  triggerPatchSchema,
  triggerPresetsOutSchema,
} from './schemas.ts'
import {
  deleteTrigger,
  findProjectTrigger,
  insertTrigger,
  listTriggers,
  updateTrigger,
} from './store.ts'
import { inputOf, triggerOut } from './trigger-view.ts'
import type { TriggerRow } from './types.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'

export interface TriggerRoutesDeps {
  db: Db
  box: SecretBox
  now: () => Date
  publicUrl: string
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const

/** Reads a trigger of the caller's project; another project's trigger is a 404 like a missing one. */
export async function requireTrigger(db: Db, projectId: string, id: string): Promise<TriggerRow> {
  const row = isUuid(id) ? await findProjectTrigger(db.kysely, projectId, id) : null
  if (!row) throw apiError('not_found', `No trigger ${id} in this project.`)
  return row
}

/** Triggers: `POST/GET /v1/triggers`, `GET/PATCH/DELETE /v1/triggers/:id`, `GET /v1/trigger-presets`. */
export function triggerRoutes(deps: TriggerRoutesDeps): FastifyPluginAsync {
  const { db } = deps
  // Reads show the open handshake windows; one query for a whole page.
  const views = async (rows: TriggerRow[]) => {
    const windows = await listOpenWindows(
      db.kysely,
      rows.map((r) => r.id),
      deps.now(),
    )
    return Promise.all(rows.map((row) => triggerOut(row, deps, windows)))
  }
  const view = async (row: TriggerRow) => (await views([row]))[0]!
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/triggers',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary: 'Create a trigger',
          body: triggerInSchema,
          response: { 201: triggerOutSchema },
        },
      },
      async (request, reply) => {
        const ids = { id: newId(), projectId: callerProject(request) }
        const fields = await normalizeTrigger(request.body, ids, {
          box: deps.box,
          tokenNames: await integrationTokenNames(db, ids.projectId, request.body.integration),
        })
        return reply
          .status(201)
          .send(await view(await insertTrigger(db.kysely, fields, deps.now())))
      },
    )

    app.get(
      '/v1/triggers',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'List triggers, newest first',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(triggerOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const rows = await listTriggers(db.kysely, {
          projectId: callerProject(request),
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: await views(page.data), nextCursor: page.nextCursor }
      },
    )

    app.get(
      '/v1/triggers/:id',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'Read a trigger',
          params: idParams,
          response: { 200: triggerOutSchema },
        },
      },
      async (request) => view(await requireTrigger(db, callerProject(request), request.params.id)),
    )

    app.patch(
      '/v1/triggers/:id',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary:
            'Change a trigger (fields sent replace the stored ones; verification secrets in full)',
          params: idParams,
          body: triggerPatchSchema,
          response: { 200: triggerOutSchema },
        },
      },
      async (request) => {
        const projectId = callerProject(request)
        const stored = await requireTrigger(db, projectId, request.params.id)
        const merged = { ...inputOf(stored), ...request.body }
        const fields = await normalizeTrigger(
          merged,
          { id: stored.id, projectId },
          {
            box: deps.box,
            tokenNames: await integrationTokenNames(db, projectId, merged.integration),
          },
        )
        const row = await updateTrigger(db.kysely, fields, deps.now())
        if (!row) throw apiError('not_found', `No trigger ${stored.id} in this project.`)
        return view(row)
      },
    )

    app.delete(
      '/v1/triggers/:id',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['triggers'],
          summary: 'Delete a trigger and its request log',
          params: idParams,
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        if (!isUuid(id) || !(await deleteTrigger(db.kysely, callerProject(request), id)))
          throw apiError('not_found', `No trigger ${id} in this project.`)
        return sendNoContent(reply)
      },
    )

    app.get(
      '/v1/trigger-presets',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['triggers'],
          summary: 'Handshake and verification presets, with their fields',
          response: { 200: triggerPresetsOutSchema },
        },
      },
      async () => describePresets(),
    )
  }
}

/** Credential ids are the caller's text (src/users). */
export const callerIdSchemaOf = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\s/?#]+$',
} as const
