import type { FastifyPluginAsync } from 'fastify'
import type { Db, Queryable } from '../store/index.ts'
import { withTransaction } from '../store/index.ts'
import { apiError } from '../errors.ts'
import { callerProject, projectRoles } from '../http/auth.ts'
import { decodeCursor, pageQuerySchema, pageSchema, toPage } from '../http/pagination.ts'
import { noContentSchema, sendNoContent } from '../http/responses.ts'
import { typed } from '../http/typed.ts'
import { isUuid } from '../ids.ts'
import { createApiKey, type KeyResolver } from './api-keys.ts'
import { createProject, projectOut, projectOutSchema, type ProjectCreatedHook } from './projects.ts'
import {
  deliverySettingsOf,
  settingsOutSchema,
  storedSettingsSchema,
  type SettingsExtension,
} from './settings.ts'
import {
  findProject,
  listApiKeys,
  listProjects,
  updateProjectSettings,
  type ApiKeyRow,
} from './store.ts'

export interface ProjectRoutesDeps {
  db: Db
  keys: KeyResolver
  onProjectCreated: readonly ProjectCreatedHook[]
  settingsExtensions: readonly SettingsExtension[]
}

const apiKeyOutSchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'prefix', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    role: { type: 'string', enum: projectRoles },
    prefix: { type: 'string', description: 'The first characters of the key.' },
    createdAt: { type: 'string', format: 'date-time' },
    key: { type: 'string', description: 'The key itself; returned only when it is created.' },
  },
} as const

function apiKeyOut(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
  }
}

/** Projects (instance admin token), API keys and settings (project keys). */
export function projectRoutes(deps: ProjectRoutesDeps): FastifyPluginAsync {
  const { db } = deps
  return async (plugin) => {
    const app = typed(plugin)
    app.post(
      '/v1/projects',
      {
        config: { auth: 'instance' },
        schema: {
          tags: ['projects'],
          summary: 'Create a project and its first admin API key',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 200 },
              ownerEmail: { type: 'string', format: 'email', maxLength: 320 },
            },
          },
          response: {
            201: {
              ...projectOutSchema,
              required: [...projectOutSchema.required, 'apiKey'],
              properties: { ...projectOutSchema.properties, apiKey: { type: 'string' } },
            },
          },
        },
      },
      async (request, reply) => {
        const { project, apiKey } = await createProject(
          db.kysely,
          { name: request.body.name, ownerEmail: request.body.ownerEmail ?? null },
          deps.onProjectCreated,
        )
        return reply.status(201).send({ ...projectOut(project), apiKey })
      },
    )

    app.get(
      '/v1/projects',
      {
        config: { auth: 'instance' },
        schema: {
          tags: ['projects'],
          summary: 'List projects',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(projectOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const rows = await listProjects(db.kysely, {
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(projectOut), nextCursor: page.nextCursor }
      },
    )

    app.patch(
      '/v1/projects/:id',
      {
        config: { auth: 'instance' },
        schema: {
          tags: ['projects'],
          summary: "Change a project's instance-wide settings (the instance admin token only)",
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['deliveryWeight'],
            properties: { deliveryWeight: storedSettingsSchema.deliveryWeight },
          },
          response: { 200: projectOutSchema },
        },
      },
      async (request) => {
        const { id } = request.params
        const row = isUuid(id)
          ? await updateProjectSettings(db.kysely, id, { settings: request.body })
          : null
        if (!row) throw apiError('not_found', `No project ${id}.`)
        return projectOut(row)
      },
    )

    app.post(
      '/v1/api-keys',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['projects'],
          summary: 'Create an API key (shown once)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'role'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 200 },
              role: { type: 'string', enum: projectRoles },
            },
          },
          response: { 201: apiKeyOutSchema },
        },
      },
      async (request, reply) => {
        const { row, key } = await createApiKey(db.kysely, {
          projectId: callerProject(request),
          ...request.body,
        })
        return reply.status(201).send({ ...apiKeyOut(row), key })
      },
    )

    app.get(
      '/v1/api-keys',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['projects'],
          summary: 'List active API keys',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(apiKeyOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const rows = await listApiKeys(db.kysely, callerProject(request), {
          before: decodeCursor(cursor),
          limit: limit + 1,
        })
        const page = toPage(rows, limit)
        return { data: page.data.map(apiKeyOut), nextCursor: page.nextCursor }
      },
    )

    app.delete(
      '/v1/api-keys/:id',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['projects'],
          summary: 'Revoke an API key',
          params: idParams,
          response: { 204: noContentSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        if (!isUuid(id) || !(await deps.keys.revoke(callerProject(request), id))) {
          throw apiError('not_found', `No active API key ${id} in this project.`)
        }
        return sendNoContent(reply)
      },
    )

    const settingsProperties = {
      ...storedSettingsSchema,
      ...Object.assign({}, ...deps.settingsExtensions.map((e) => e.properties)),
    }
    const settingsOut = settingsOutSchema(deps.settingsExtensions)

    app.get(
      '/v1/settings',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['projects'],
          summary: "Read the project's settings",
          response: { 200: settingsOut },
        },
      },
      async (request) => readSettings(deps, callerProject(request)),
    )

    app.put(
      '/v1/settings',
      {
        config: { auth: { role: 'admin' } },
        schema: {
          tags: ['projects'],
          summary: "Change the project's settings (fields not sent are left as they are)",
          body: { type: 'object', additionalProperties: false, properties: settingsProperties },
          response: { 200: settingsOut },
        },
      },
      async (request) => {
        const projectId = callerProject(request)
        const { name, ...rest } = request.body as { name?: string } & Record<string, unknown>
        const own = Object.fromEntries(
          Object.entries(rest).filter(([k]) => k in storedSettingsSchema),
        )
        const shownOnce = await withTransaction(db.kysely, async (tx) => {
          if (own.deliveryWeight !== undefined)
            await refuseWeightChange(tx, projectId, own.deliveryWeight as number)
          await updateProjectSettings(tx, projectId, { ...(name ? { name } : {}), settings: own })
          const once: Record<string, unknown> = {}
          for (const extension of deps.settingsExtensions)
            Object.assign(once, await extension.apply(tx, projectId, request.body))
          return once
        })
        return { ...(await readSettings(deps, projectId)), ...shownOnce }
      },
    )
  }
}

// deliveryWeight sets the project's share of every worker's sends, taken from the other
// projects: a tenant raising its own was a cross-tenant decision. Sending the value it already
// has stays allowed, so a settings form can send back what it read.
async function refuseWeightChange(tx: Queryable, projectId: string, weight: number) {
  const project = await findProject(tx, projectId)
  if (project && deliverySettingsOf(project.settings).deliveryWeight === weight) return
  throw apiError(
    'instance_admin_required',
    "deliveryWeight is an instance-wide setting (a share of every project's sends); the instance admin sets it with PATCH /v1/projects/:id.",
  )
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const

async function readSettings(deps: ProjectRoutesDeps, projectId: string) {
  const project = await findProject(deps.db.kysely, projectId)
  if (!project) throw apiError('not_found', 'This project no longer exists.')
  const extra = Object.assign(
    {},
    ...(await Promise.all(deps.settingsExtensions.map((e) => e.read(deps.db.kysely, projectId)))),
  )
  return {
    projectId: project.id,
    name: project.name,
    ownerEmail: project.owner_email,
    ...deliverySettingsOf(project.settings),
    ...extra,
  }
}
