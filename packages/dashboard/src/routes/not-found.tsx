import { PageHead } from '../components/ui.tsx'
import { Link } from '../router.tsx'

export function NotFoundPage() {
  return (
    <>
      <PageHead title="Nothing here" sub="This page of the dashboard does not exist." />
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </>
  )
}
