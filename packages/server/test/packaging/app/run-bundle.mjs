/* global process, console, URL */
// Runs the browser bundle in Node 24 as plain ESM: its verification uses globalThis.crypto.subtle.
const { check } = await import(new URL(process.argv[2], import.meta.url).href)
console.log(JSON.stringify(await check(JSON.parse(process.argv[3]))))
