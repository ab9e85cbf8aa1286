/**
 * On the sandbox a city's partners have no tenancy of their own yet, so storm
 * rehearses them: each partner project the manifest names is created (once) in
 * the sandbox's Keystone, and the RBAC policies and container ACLs that
 * synthesis writes get a real target. Never used against a real cloud, where a
 * missing partner project is a pre-flight error.
 */
import type { CloudCredentials } from './credentials';
import { OpenStackClient } from './openstack-client';

interface ProjectList {
  projects?: Array<{ id?: string; name?: string }>;
}

/** Creates the named projects that the sandbox lacks; returns the names it created. */
export async function ensureSandboxPartnerProjects(
  credentials: CloudCredentials,
  projects: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(projects)].filter((p) => !/^[0-9a-f]{32}$/.test(p)).sort();
  if (wanted.length === 0) return [];
  const client = await OpenStackClient.authenticate(credentials);
  const existing = (await client.get(['identity'], '/projects')) as ProjectList;
  const names = new Set((existing.projects ?? []).map((p) => p.name));
  const created: string[] = [];
  for (const name of wanted) {
    if (names.has(name)) continue;
    await client.post(['identity'], '/projects', {
      project: { name, domain_id: 'default', description: 'partner project rehearsed by storm in the sandbox' },
    });
    created.push(name);
  }
  return created;
}
