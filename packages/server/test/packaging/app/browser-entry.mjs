// Bundled by Vite for the browser (pack.cli.test.ts): verification through WebCrypto only.
import { verifyWebhook, WebhookVerificationError } from '@switchyard/sdk'

/** Verifies the signed request and a tampered copy; resolves with what each gave. */
export async function check(input) {
  const event = await verifyWebhook(input.body, input.headers, input.secret)
  let tampered = 'accepted'
  try {
    await verifyWebhook(input.body + ' ', input.headers, input.secret)
  } catch (error) {
    tampered = error instanceof WebhookVerificationError ? error.code : String(error)
  }
  return { event, tampered }
}
