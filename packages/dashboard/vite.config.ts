import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The server serves dist/ at /, so assets are referenced from the root. `npm run dev` proxies
// the API to a local server (SWITCHYARD_URL, default http://127.0.0.1:8787).
const apiTarget = process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8787'

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/hooks', '/openapi.json', '/healthz'].map((path) => [path, apiTarget]),
    ),
  },
})
