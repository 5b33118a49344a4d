/** Switchyard's mark (two tracks meeting at a switch), drawn in the text colour. */
export function BrandMark({ size }: { size: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true">
      <path
        d="M3 6h7l4 6h7M3 18h7l4-6"
        fill="none"
        stroke="currentColor"
        strokeWidth="2.2"
        strokeLinecap="round"
      />
    </svg>
  )
}
