import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import { takeKeyFromUrl } from './session.ts'
import './styles.css'

// Before anything renders: a sign-in link's key moves to sessionStorage and leaves the URL.
takeKeyFromUrl()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
