export { startEngine, type Engine, type EngineOptions, type Worker } from './main.ts'
export { loadConfig, type Config } from './config.ts'
