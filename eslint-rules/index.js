import { featureBoundaries } from './feature-boundaries.js'
import { noImportCycles } from './no-import-cycles.js'

/**
 * The house rules ESLint enforces (CONTRIBUTING.md, "House rules"), as a local plugin.
 * @example { plugins: { house }, rules: { 'house/no-import-cycles': 'error' } }
 */
export default {
  meta: { name: 'switchyard-house' },
  rules: { 'feature-boundaries': featureBoundaries, 'no-import-cycles': noImportCycles },
}
