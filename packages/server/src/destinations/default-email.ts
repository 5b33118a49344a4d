import type { ProjectCreatedHook } from '../projects/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { createDestination } from './destinations.ts'

/**
 * Every project starts with an email destination for `workflow.failed` to the address of the
 * user who created it (Event Destinations, seed 002: "By default, your project will include an
 * Email Destination for Workflow Failure events, using the email address of the user that
 * created the project"). Created in the project's transaction; an ordinary destination after
 * that, changed or deleted like any. Projects created without an `ownerEmail` get none.
 * @example onProjectCreated: [defaultEmailDestination({ now, box })]
 */
export function defaultEmailDestination(deps: {
  now: () => Date
  box: SecretBox
}): ProjectCreatedHook {
  return async (tx, project) => {
    if (!project.owner_email) return
    await createDestination(
      tx,
      project.id,
      {
        type: 'email',
        name: 'Workflow failures',
        to: [project.owner_email],
        events: ['workflow.failed'],
        format: 'monitoring',
      },
      { now: deps.now(), box: deps.box },
    )
  }
}
