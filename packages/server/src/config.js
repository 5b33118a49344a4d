import path from 'node:path';
const roles = ['api', 'worker', 'all'];
const defaults = {
    port: 8787,
    host: '127.0.0.1',
    dataDir: './.switchyard',
    databaseUrl: null,
    publicUrl: '',
    secretKey: null,
    adminToken: null,
    smtpUrl: null,
    allowPrivateTargets: false,
    role: 'all',
    logLevel: 'info',
    bodyLimitBytes: 1024 * 1024,
};
/**
 * Builds the config from defaults, the environment and explicit overrides, then freezes it.
 * @example loadConfig(process.env, { port: 0 })
 */
export function loadConfig(env = process.env, overrides = {}) {
    const fromEnv = dropUndefined({
        port: env.SWITCHYARD_PORT === undefined ? undefined : parsePort(env.SWITCHYARD_PORT),
        host: env.SWITCHYARD_HOST,
        dataDir: env.SWITCHYARD_DATA_DIR,
        databaseUrl: env.DATABASE_URL || undefined,
        publicUrl: env.SWITCHYARD_PUBLIC_URL,
        secretKey: env.SWITCHYARD_SECRET_KEY || undefined,
        adminToken: env.SWITCHYARD_ADMIN_TOKEN || undefined,
        smtpUrl: env.SMTP_URL || undefined,
        allowPrivateTargets: parseBool(env.SWITCHYARD_ALLOW_PRIVATE_TARGETS),
        role: env.SWITCHYARD_ROLE === undefined ? undefined : parseRole(env.SWITCHYARD_ROLE),
        logLevel: env.SWITCHYARD_LOG_LEVEL,
    });
    const merged = { ...defaults, ...fromEnv, ...dropUndefined(overrides) };
    merged.dataDir = path.resolve(merged.dataDir);
    if (!merged.publicUrl)
        merged.publicUrl = `http://localhost:${merged.port}`;
    merged.publicUrl = merged.publicUrl.replace(/\/+$/, '');
    return Object.freeze(merged);
}
function parsePort(value) {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`SWITCHYARD_PORT must be a port number (0-65535), got "${value}"`);
    }
    return port;
}
/** @example parseRole('worker') // 'worker' */
export function parseRole(value) {
    if (!roles.includes(value)) {
        throw new Error(`role must be one of ${roles.join(', ')}, got "${value}"`);
    }
    return value;
}
function parseBool(value) {
    if (value === undefined || value === '')
        return undefined;
    return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}
function dropUndefined(value) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
