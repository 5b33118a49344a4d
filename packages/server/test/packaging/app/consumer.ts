// Type-checked by pack.cli.test.ts against the installed packages' declarations.
import { createClient, verifyWebhook, type SwitchyardClient } from '@switchyard/sdk'
import { expressWebhook } from '@switchyard/sdk/express'
import { startEngine, type Engine } from 'switchyard'

export const client: SwitchyardClient = createClient({ baseUrl: 'http://x', apiKey: 'sy_x' })
export async function handle(body: string, headers: Record<string, string>): Promise<string> {
  const event = await verifyWebhook<'standard'>(body, headers, 'whsec_x')
  // @ts-expect-error a standard body's type is a string: the declarations are real, not `any`
  const wrong: number = event.type
  return event.type + String(wrong)
}
export const adapters = [expressWebhook, startEngine]
export type { Engine }
