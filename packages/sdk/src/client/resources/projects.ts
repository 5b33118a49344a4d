import { paginate } from '../pagination.ts'
import type { Requester } from '../request.ts'
import type {
  ApiKeyCreatedOut,
  ApiKeyIn,
  ListOptions,
  ListResponseApiKeyOut,
  ListResponseProjectOut,
  ProjectCreatedOut,
  ProjectIn,
  SettingsIn,
  SettingsOut,
} from '../types.ts'
import { segment, type PostOptions } from './shared.ts'

/**
 * `client.projects`: needs the instance admin token as `apiKey`.
 *
 * @example
 * const admin = createClient({ baseUrl, apiKey: process.env.SWITCHYARD_ADMIN_TOKEN! })
 * const { id, apiKey } = await admin.projects.create({ name: 'Acme' })
 */
export function projectsResource(request: Requester) {
  const list = (options: ListOptions = {}) =>
    request<ListResponseProjectOut>({ method: 'GET', path: '/v1/projects', query: options })
  return {
    /** Creates a project and its first admin API key (returned once). */
    create: (project: ProjectIn, options: PostOptions = {}) =>
      request<ProjectCreatedOut>({
        method: 'POST',
        path: '/v1/projects',
        body: project,
        ...options,
      }),
    /** One page of projects. */
    list,
    /** Every project, page after page. */
    iterate: (options: Omit<ListOptions, 'cursor'> = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
  }
}

/**
 * `client.apiKeys`: the project's API keys (admin role).
 *
 * @example
 * const { key } = await client.apiKeys.create({ name: 'ci', role: 'member' })
 */
export function apiKeysResource(request: Requester) {
  const list = (options: ListOptions = {}) =>
    request<ListResponseApiKeyOut>({ method: 'GET', path: '/v1/api-keys', query: options })
  return {
    /** Creates a key; `key` is in this answer only. */
    create: (apiKey: ApiKeyIn, options: PostOptions = {}) =>
      request<ApiKeyCreatedOut>({ method: 'POST', path: '/v1/api-keys', body: apiKey, ...options }),
    /** One page of active keys. */
    list,
    /** Every active key, page after page. */
    iterate: (options: Omit<ListOptions, 'cursor'> = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
    /** Revokes a key at once. */
    delete: (id: string) =>
      request<void>({ method: 'DELETE', path: `/v1/api-keys/${segment(id)}` }),
  }
}

/**
 * `client.settings`: the project's settings.
 *
 * @example
 * await client.settings.update({ retentionDays: 14 })
 */
export function settingsResource(request: Requester) {
  return {
    /** The project's settings, defaults filled in. */
    get: () => request<SettingsOut>({ method: 'GET', path: '/v1/settings' }),
    /** Changes the fields sent and leaves the others; answers the settings as they now are. */
    update: (settings: SettingsIn) =>
      request<SettingsOut>({ method: 'PUT', path: '/v1/settings', body: settings }),
  }
}
