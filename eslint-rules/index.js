import { noImportCycles } from './no-import-cycles.js'

/**
 * The house rules ESLint enforces (CONTRIBUTING.md, "House rules"), as a local plugin.
 * @example { plugins: { house }, rules: { 'house/no-import-cycles': 'error' } }
 */
export default {
  meta: { name: 'switchyard-house' },
  rules: { 'no-import-cycles': noImportCycles },
}
