import { CliError } from './errors.ts'

/**
 * All of stdin, as bytes. Refuses a terminal: the command expects a pipe or a redirect, and
 * waiting for typed input would look like a hang.
 * @example const body = await readStdin('switchyard verify --secret whsec_… < request.txt')
 */
export async function readStdin(usage: string): Promise<Buffer> {
  if (process.stdin.isTTY)
    throw new CliError('usage', `stdin is a terminal; redirect a file into it: ${usage}`)
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks)
}
