import { apiError } from "../errors.js";
/** Roles, weakest first: each role may do everything the ones before it may. */
export const projectRoles = ['viewer', 'member', 'admin'];
/** Checks every request against its route's `config.auth`; routes without one are refused. */
export function installAuth(app, authenticators) {
    app.decorateRequest('caller', null);
    app.addHook('preValidation', async (request) => {
        const required = request.routeOptions.config.auth;
        if (required === undefined || required === 'public')
            return;
        const token = bearerToken(request);
        if (!token)
            throw apiError('unauthorized', 'Missing "Authorization: Bearer <key>" header.');
        request.caller = await identify(token, required, authenticators);
        if (!request.caller)
            throw apiError('unauthorized', 'The key is not valid (unknown, revoked or expired).');
        checkAllowed(request.caller, required);
    });
}
async function identify(token, required, authenticators) {
    if (required === 'instance') {
        return authenticators.checkInstanceToken(token) ? { kind: 'instance' } : null;
    }
    const looksLikeJwt = token.split('.').length === 3;
    if (looksLikeJwt &&
        typeof required === 'object' &&
        required.allowUserToken &&
        authenticators.userToken) {
        return authenticators.userToken(token);
    }
    return authenticators.projectKey(token);
}
function checkAllowed(caller, required) {
    if (required === 'public' || required === 'instance')
        return;
    if (caller.kind === 'user') {
        if (!required.allowUserToken)
            throw apiError('forbidden', 'User tokens may only read synced records.');
        return;
    }
    if (caller.kind !== 'key')
        throw apiError('forbidden');
    if (projectRoles.indexOf(caller.role) < projectRoles.indexOf(required.role)) {
        throw apiError('forbidden', `This action needs the "${required.role}" role; this key is "${caller.role}".`);
    }
}
function bearerToken(request) {
    const header = request.headers.authorization;
    if (!header)
        return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
}
/**
 * The project of the calling key or user token; routes with a role requirement always have one.
 * @example const projectId = callerProject(request)
 */
export function callerProject(request) {
    const caller = request.caller;
    if (!caller || caller.kind === 'instance')
        throw apiError('unauthorized');
    return caller.projectId;
}
