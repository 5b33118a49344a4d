import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { newToken } from "../ids.js";
import { createProject } from "./projects.js";
import { countProjects, initInstanceSetting, readInstanceSetting } from "./store.js";
const adminTokenSetting = 'admin_token_sha256';
/**
 * On an empty store: generates the instance admin token (unless configured) and a default project.
 * @returns the new credentials, or null when the store already had projects
 */
export async function bootstrapEmptyStore(q, options) {
    if ((await countProjects(q)) > 0)
        return null;
    const adminToken = options.configuredAdminToken ?? newToken('sya_');
    if (!options.configuredAdminToken)
        await initInstanceSetting(q, adminTokenSetting, sha256(adminToken));
    const { project, apiKey } = await createProject(q, { name: 'Default project', ownerEmail: null }, options.hooks);
    return {
        projectId: project.id,
        apiKey,
        adminToken,
        apiUrl: `${options.publicUrl}/v1`,
        dashboardUrl: `${options.publicUrl}/`,
    };
}
/** Writes the first-start credentials beside the data, readable by the owner only. */
export async function writeCredentialsFile(dataDir, credentials) {
    const file = path.join(dataDir, 'credentials.json');
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    await fs.chmod(file, 0o600);
    return file;
}
/**
 * Checks an instance admin token: the configured one when set, else the one generated at first start.
 * Returns a function so the stored hash is read once.
 */
export async function createInstanceTokenCheck(q, configured) {
    const expected = configured ? sha256(configured) : await readInstanceSetting(q, adminTokenSetting);
    return (token) => {
        if (!expected)
            return false;
        return timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(expected, 'hex'));
    };
}
function sha256(value) {
    return createHash('sha256').update(value).digest('hex');
}
