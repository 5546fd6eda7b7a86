// CA certificates registered with AWS IoT Core (active ones: an inactive CA signs in no device).
import { IoTClient, ListCACertificatesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-iot';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { eachPage } from './pages.ts';
import { tagRecord, withTags } from './tags.ts';

export const iotFinder: Finder = {
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
