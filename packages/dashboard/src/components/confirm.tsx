import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { AdminButton, Button, type ButtonProps } from './ui.tsx'

export interface ConfirmProps {
  /** The button that opens the question. */
  label: ReactNode
  variant?: ButtonProps['variant']
  busy?: boolean
  /** The question's title and text. */
  title: string
  message: ReactNode
  confirmLabel: string
  /** Asks for a line of text too (a reason), passed to onConfirm. */
  input?: { label: string; initial: string }
  onConfirm: (text: string) => void
}

/** An admin button that asks first, in a modal dialog rather than the browser's confirm(). */
export function ConfirmButton(props: ConfirmProps) {
  const [open, setOpen] = useState(false)
  const [text, setText] = useState(props.input?.initial ?? '')
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    if (open) dialog.current?.showModal()
    else dialog.current?.close()
  }, [open])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setOpen(false)
    props.onConfirm(text)
  }
  return (
    <>
      <AdminButton variant={props.variant} busy={props.busy} onClick={() => setOpen(true)}>
        {props.label}
      </AdminButton>
      {open ? (
        <dialog
          ref={dialog}
          className="dialog"
          onClose={() => setOpen(false)}
          aria-label={props.title}
        >
          <form onSubmit={submit}>
            <h2>{props.title}</h2>
            <div className="dialog-body">{props.message}</div>
            {props.input ? (
              <label className="field">
                <span>{props.input.label}</span>
                <input value={text} onChange={(e) => setText(e.target.value)} autoFocus />
              </label>
            ) : null}
            <div className="actions end">
              <Button variant="quiet" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button
                type="submit"
                variant={props.variant === 'danger' ? 'danger' : 'primary'}
                autoFocus={!props.input}
              >
                {props.confirmLabel}
              </Button>
            </div>
          </form>
        </dialog>
      ) : null}
    </>
  )
}
