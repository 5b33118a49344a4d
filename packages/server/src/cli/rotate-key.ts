import type { Config } from '../config.ts'
import { sealedDestinationSecrets } from '../destinations/index.ts'
import { sealedTriggerSecrets, sealedTriggerValues } from '../inbound/index.ts'
import { sealedIntegrationTokens } from '../integrations/index.ts'
import {
  createSecretBox,
  rotateSecretKey,
  type RotationProgress,
  type SealedTable,
  type TableRotation,
} from '../secrets/index.ts'
import { migrate, openDb } from '../store/index.ts'
import { sealedCredentialTokens } from '../users/index.ts'

/**
 * Every table that keeps sealed values; a feature that seals something new exports its table
 * from its index.ts and adds it here. Composed here, not in secrets/, so secrets/ stays a leaf.
 */
export const sealedTables: readonly SealedTable<any>[] = [
  sealedCredentialTokens,
  sealedTriggerSecrets,
  sealedTriggerValues,
  sealedIntegrationTokens,
  sealedDestinationSecrets,
]

/**
 * `switchyard secrets rotate-key` against the configured store: migrates, then seals again.
 * @example await rotateKeyOfConfig(loadConfig(), { progress: (t, n) => createProgress(t, n) })
 */
export async function rotateKeyOfConfig(
  config: Readonly<Config>,
  options: { batchSize?: number; progress?: (table: string, total: number) => RotationProgress },
): Promise<TableRotation[]> {
  const db = await openDb(config)
  try {
    await migrate(db)
    const box = createSecretBox({
      secretKey: config.secretKey,
      previousSecretKeys: config.previousSecretKeys,
      dataDir: config.dataDir,
      embedded: db.kind === 'pglite',
    })
    return await rotateSecretKey(db, box, sealedTables, options)
  } finally {
    await db.close()
  }
}
