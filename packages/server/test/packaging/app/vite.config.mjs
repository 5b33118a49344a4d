// The scratch project's Vite build (vite comes from the repository): the SDK as a browser
// library, resolved from the installed tarball in node_modules.
export default {
  logLevel: 'warn',
  build: {
    lib: { entry: 'browser-entry.mjs', formats: ['es'], fileName: 'sdk-browser' },
    outDir: 'browser-dist',
    minify: false,
  },
}
