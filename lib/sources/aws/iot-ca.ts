// `iot-ca:arn:aws:iot:REGION:ACCOUNT:cacert/ID`: a CA certificate registered with AWS IoT Core.
// Devices present certificates this CA signed; when it expires, just-in-time registration and
// (with its verification) device sign-in under it stop, and IoT Core says nothing beforehand.
//
// Discovery: CA certificates registered with AWS IoT Core (active ones: an inactive CA signs in no device).
import {
  DescribeCACertificateCommand,
  IoTClient,
  ListCACertificatesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-iot';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { readAwsPem } from './pem-source.ts';
import { tagRecord, withTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(request, context, 'IoT DescribeCACertificate', 'the IoT CA certificate', async (arn, client) => {
    const answer = await client(IoTClient, regionOf(arn)).send(
      new DescribeCACertificateCommand({ certificateId: arn.split('/').pop() ?? '' }),
    );
    return answer.certificateDescription?.certificatePem;
  });
}

export const finder: Finder = {
  service: 'iot',
  async find(context) {
    const iot = context.client(IoTClient);
    const arns: string[] = [];
    await eachPage(
      (token) =>
        context.call('IoT ListCACertificates', () =>
          iot.send(new ListCACertificatesCommand({ pageSize: 250, marker: token })),
        ),
      (page) => page.nextMarker,
      (page) => {
        for (const c of page.certificates ?? []) {
          if (c.status !== 'ACTIVE') context.skip('inactive IoT CA certificate');
          else if (c.certificateArn) arns.push(c.certificateArn);
        }
      },
    );
    const tagged = await withTags(arns, async (arn) =>
      !context.isNew(`iot-ca:${arn}`)
        ? {}
        : tagRecord(
            (
              await context.call('IoT ListTagsForResource', () =>
                iot.send(new ListTagsForResourceCommand({ resourceArn: arn })),
              )
            ).tags,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({ target: `iot-ca:${item}`, service: 'iot', resource: item, tags }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadIotCaCertificates',
    actions: ['iot:DescribeCACertificate'],
    resources: ['arn:{partition}:iot:*:{account}:cacert/*'],
    why: 'Any IoT CA certificate of this account, any region (public certificates); read-only.',
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['iot:ListCACertificates'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadIotCaTags',
    actions: ['iot:ListTagsForResource'],
    resources: ['arn:{partition}:iot:*:{account}:cacert/*'],
    why: 'Tags of any IoT CA certificate of this account (owner); read-only.',
  },
];
