import type { ManagedSyncSyncComplete } from '../../src/index.ts'

/** Paragon's published `sync_complete` example (Managed Sync webhooks page), as Switchyard renders it. */
export const syncComplete = {
  event: 'sync_complete',
  syncInstanceId: '163a345e-2dd4-51ff-bcf5-7667de564bb0',
  sync: 'googledrive',
  credentialId: '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1',
  user: { id: 'user_01JH448D13EX2BE1SC1GXVT05R' },
  data: { model: 'files', syncedAt: '2025-07-07T19:00:00.000Z', numRecords: 1000 },
} satisfies ManagedSyncSyncComplete

/** The secret of the Standard Webhooks specification's published test vector. */
export const vectorSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
