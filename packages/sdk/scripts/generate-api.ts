import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import { formatGenerated, generatedHeader } from './format.ts'

/** Where `renderApiTypes` output lives. */
export const apiTarget = new URL('../src/generated/api.ts', import.meta.url)

/**
 * Renders `src/generated/api.ts` (`paths`, `operations`…) from an OpenAPI document.
 *
 * @example await writeFile(apiTarget, await renderApiTypes(await fetchOpenApiDocument()))
 */
export async function renderApiTypes(document: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3, { alphabetize: true })
  const source = generatedHeader("the server's /openapi.json") + '\n' + astToString(ast)
  return formatGenerated(source, apiTarget)
}
