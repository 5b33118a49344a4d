import type { FastifyPluginAsync } from 'fastify'
import { apiError } from '../errors.ts'
import { callerProject } from '../http/auth.ts'
import { pageQuerySchema, pageSchema } from '../http/pagination.ts'
import {
  credentialTokens,
  deleteCredential,
  putCredential,
  requireCredential,
  type CredentialDeps,
} from './credentials.ts'
import {
  callerIdSchema,
  credentialInSchema,
  credentialOut,
  credentialOutSchema,
  userInSchema,
  userOut,
  userOutSchema,
} from './schemas.ts'
import { findUser, listCredentials, upsertUser, type CredentialRow } from './store.ts'
import { typed } from '../http/typed.ts'

const userParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: callerIdSchema },
} as const
const idParams = { type: 'object', required: ['id'], properties: { id: callerIdSchema } } as const

/** Connected users and their credentials (`PUT/GET /v1/users/:userId`, `/v1/credentials`). */
export function userRoutes(deps: CredentialDeps): FastifyPluginAsync {
  const { db } = deps
  const view = async (row: CredentialRow) =>
    credentialOut(row, await credentialTokens(deps.box, row))
  return async (plugin) => {
    const app = typed(plugin)
    app.put(
      '/v1/users/:userId',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['users'],
          summary: 'Create a connected user or replace its metadata',
          params: userParams,
          body: userInSchema,
          response: { 200: userOutSchema },
        },
      },
      async (request) => {
        const row = await upsertUser(db.kysely, {
          projectId: callerProject(request),
          id: request.params.userId,
          metadata: request.body.metadata ?? null,
          now: deps.now(),
        })
        return userOut(row)
      },
    )

    app.get(
      '/v1/users/:userId',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['users'],
          summary: 'Read a connected user and its credentials',
          params: userParams,
          response: {
            200: {
              ...userOutSchema,
              properties: {
                ...userOutSchema.properties,
                credentials: { type: 'array', items: credentialOutSchema },
              },
            },
          },
        },
      },
      async (request) => {
        const projectId = callerProject(request)
        const { userId } = request.params
        const row = await findUser(db.kysely, projectId, userId)
        if (!row) throw apiError('not_found', `No user ${userId} in this project.`)
        const credentials = await listCredentials(db.kysely, {
          ...noFilter(projectId),
          userId,
          limit: 500,
        })
        return { ...userOut(row), credentials: await Promise.all(credentials.map(view)) }
      },
    )

    app.put(
      '/v1/credentials/:id',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['users'],
          summary: 'Create or change a credential; status changes emit credential events',
          params: idParams,
          body: credentialInSchema,
          response: { 200: credentialOutSchema, 201: credentialOutSchema },
        },
      },
      async (request, reply) => {
        const ids = { projectId: callerProject(request), id: request.params.id }
        const { row, created } = await putCredential(deps, ids, request.body)
        return reply.status(created ? 201 : 200).send(await view(row))
      },
    )

    app.get(
      '/v1/credentials/:id',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['users'],
          summary: 'Read a credential (tokens masked)',
          params: idParams,
          response: { 200: credentialOutSchema },
        },
      },
      async (request) =>
        view(await requireCredential(db, callerProject(request), request.params.id)),
    )

    app.delete(
      '/v1/credentials/:id',
      {
        config: { auth: { role: 'member' } },
        schema: {
          tags: ['users'],
          summary:
            "Delete a credential: runs its triggers' unsubscribe requests, then nothing routes to it",
          params: idParams,
          response: {
            200: {
              type: 'object',
              required: ['id', 'unsubscribed'],
              properties: {
                id: { type: 'string' },
                unsubscribed: {
                  type: 'array',
                  description:
                    'One entry per subscription torn down: removed, or failed with the provider answer (the credential is deleted either way).',
                  items: { type: 'object', additionalProperties: true },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const ids = { projectId: callerProject(request), id: request.params.id }
        return { id: ids.id, unsubscribed: await deleteCredential(deps, ids) }
      },
    )

    app.get(
      '/v1/credentials',
      {
        config: { auth: { role: 'viewer' } },
        schema: {
          tags: ['users'],
          summary: 'List credentials in id order',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              userId: callerIdSchema,
              integration: { type: 'string', maxLength: 100 },
              status: { type: 'string', enum: ['VALID', 'INVALID', 'PENDING'] },
            },
          },
          response: { 200: pageSchema(credentialOutSchema) },
        },
      },
      async (request) => {
        const { limit, cursor, userId, integration, status } = request.query
        const rows = await listCredentials(db.kysely, {
          ...noFilter(callerProject(request)),
          userId: userId ?? null,
          integration: integration ?? null,
          status: status ?? null,
          after: cursor ? decodeTextCursor(cursor) : null,
          limit: limit + 1,
        })
        const data = rows.slice(0, limit)
        const last = data.at(-1)
        return {
          data: await Promise.all(data.map(view)),
          nextCursor:
            rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null,
        }
      },
    )
  }
}

function noFilter(projectId: string) {
  return { projectId, userId: null, integration: null, status: null, after: null }
}

// Credential ids are the caller's text, so the cursor wraps a text id rather than a UUIDv7.
function decodeTextCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString()
  if (!/^[^\s/?#]{1,200}$/.test(id)) throw apiError('invalid_cursor')
  return id
}
