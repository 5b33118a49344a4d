import type { ReactNode } from 'react'
import { Link, navigate } from '../router.tsx'

/** One column of a LinkTable: its header and what each row shows in it. */
export interface LinkColumn<Row> {
  header: string
  /** On the header and every cell (`num` right-aligns). */
  className?: string
  /** On the cells only. */
  cellClassName?: string
  cell: (row: Row) => ReactNode
}

/**
 * A list whose rows each open a page: a click anywhere on a row navigates, and one cell holds a
 * real link (RowLink) for the keyboard, a new tab and the address it shows.
 * @example <LinkTable testId="events-table" rows={events} hrefOf={(e) => `/events/${e.id}`} columns={[{ header: 'Type', cell: (e) => <RowLink to={`/events/${e.id}`}>{e.type}</RowLink> }]} />
 */
export function LinkTable<Row extends { id: string }>(props: {
  testId: string
  rows: Row[]
  hrefOf: (row: Row) => string
  columns: (LinkColumn<Row> | null)[]
}) {
  const columns = props.columns.filter((c): c is LinkColumn<Row> => c !== null)
  return (
    <div className="table-wrap">
      <table className="table" data-testid={props.testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.id} className="clickable" onClick={() => navigate(props.hrefOf(row))}>
              {columns.map((c) => (
                <td key={c.header} className={joinClasses(c.className, c.cellClassName)}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The link in a LinkTable row; its click is the link's, not the row's as well. */
export function RowLink(props: {
  to: string
  className?: string
  title?: string
  children: ReactNode
}) {
  return (
    <Link
      to={props.to}
      className={props.className}
      title={props.title}
      onClick={(e) => e.stopPropagation()}
    >
      {props.children}
    </Link>
  )
}

function joinClasses(...names: (string | undefined)[]): string | undefined {
  return names.filter(Boolean).join(' ') || undefined
}
