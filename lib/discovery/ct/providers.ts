// The CT providers by name (the `ctProvider` setting): one line each.
import type { ReachOptions } from '../../net/fetch-document.ts';
import { certSpotterProvider } from './certspotter.ts';
import { crtShProvider } from './crtsh.ts';
import type { CtProviderName } from './ct-options.ts';
import type { CtProvider } from './ct-provider.ts';

export const CT_PROVIDERS: Record<
  CtProviderName,
  (o: { reach: ReachOptions; token?: string | undefined; baseUrl?: string | undefined }) => CtProvider
> = {
  certspotter: (o: { reach: ReachOptions; token?: string | undefined; baseUrl?: string | undefined }) =>
    certSpotterProvider({
      reach: o.reach,
      ...(o.token ? { token: o.token } : {}),
      ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
    }),
  crtsh: (o: { reach: ReachOptions; baseUrl?: string | undefined }) =>
    crtShProvider({ reach: o.reach, ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}) }),
};

export function ctProviderFor(
  name: CtProviderName,
  options: { reach: ReachOptions; token?: string | undefined; baseUrl?: string | undefined },
): CtProvider {
  return CT_PROVIDERS[name](options);
}
