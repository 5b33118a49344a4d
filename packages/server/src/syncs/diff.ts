import jsonPatch from 'fast-json-patch'

/** An RFC 6902 operation, with the value the path held before where it existed. */
export interface DiffOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  value?: unknown
  from?: string
  oldValue?: unknown
}

/**
 * The RFC 6902 operations turning `before` into `after` (fast-json-patch's `compare`), each
 * `remove` and `replace` carrying the `oldValue` it overwrites, as the workspace format's
 * `integration_updated_data_model` diff does.
 * @example diffRecords({ a: 1 }, { a: 2 }) // [{ op: 'replace', path: '/a', value: 2, oldValue: 1 }]
 */
export function diffRecords(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): DiffOperation[] {
  const operations = jsonPatch.compare(before, after) as DiffOperation[]
  return operations.map((operation) => {
    if (operation.op !== 'remove' && operation.op !== 'replace') return operation
    const oldValue: unknown = jsonPatch.getValueByPointer(before, operation.path)
    return { ...operation, oldValue }
  })
}
