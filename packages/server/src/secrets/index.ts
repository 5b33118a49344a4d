import type { Config } from '../config.ts'
import { migrate, openDb } from '../store/index.ts'
import { createSecretBox } from '../users/index.ts'
import { rotateSecretKey, type RotationProgress, type TableRotation } from './rotate-key.ts'

/**
 * Key rotation for the secrets kept at rest (credential tokens, trigger secrets and values,
 * integration tokens, destination secrets). The SecretBox itself lives in users/.
 */
export {
  rotateSecretKey,
  sealedTables,
  type RotationProgress,
  type TableRotation,
} from './rotate-key.ts'

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
    return await rotateSecretKey(db, box, options)
  } finally {
    await db.close()
  }
}
