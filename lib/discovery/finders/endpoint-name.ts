// Host names of endpoints as targets: wildcard names cannot be probed and are passed over.
import { canonicalHost } from '../../targets/target-id.ts';

/** `name:443` for a name a custom domain or alias serves, or undefined for a wildcard or a bad name. */
export function httpsTarget(name: string | undefined): string | undefined {
  if (!name || name.includes('*')) return undefined;
  try {
    return `${canonicalHost(name)}:443`;
  } catch {
    return undefined;
  }
}
