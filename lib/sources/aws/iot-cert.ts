// `iot-cert:arn:aws:iot:REGION:ACCOUNT:cert/ID`: one IoT Core device certificate. A device whose
// certificate ends can no longer connect, and nothing brings it back but a new certificate put on
// the device itself: the warning has to come while the device still connects to receive one.
//
// Discovery: IoT Core device certificates expiring soon. A fleet can hold millions, and only DescribeCertificate
// tells a certificate's end, so this finder is bounded: it lists the oldest active certificates
// first (those most likely to end first), at most IOT_DEVICE_LIST_LIMIT of them, describes those
// not yet watched (8 at a time), and enrols the ones ending within IOT_DEVICE_HORIZON_DAYS (or
// already ended) as `iot-cert:` targets. A listing cut short by the bound is partial: no device
// certificate is taken as gone because of it.
import { DescribeCertificateCommand, IoTClient, ListCertificatesCommand } from '@aws-sdk/client-iot';
import { mapWithConcurrency } from '../../concurrency.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { readAwsPem } from './pem-source.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(request, context, 'IoT DescribeCertificate', 'the IoT device certificate', async (arn, client) => {
    const answer = await client(IoTClient, regionOf(arn)).send(
      new DescribeCertificateCommand({ certificateId: arn.split('/').pop() ?? '' }),
    );
    return answer.certificateDescription?.certificatePem;
  });
}

/** Most device certificates listed (and at most described) per account and region each run. */
export const IOT_DEVICE_LIST_LIMIT = 1_000;
/** A device certificate ending within this many days is enrolled. */
export const IOT_DEVICE_HORIZON_DAYS = 90;
const PAGE_SIZE = 250;
const DESCRIBE_CONCURRENCY = 8;

export const finder: Finder = {
  service: 'iot-device',
  async find(context) {
    const iot = context.client(IoTClient);
    const active: string[] = [];
    let listed = 0;
    const unread = await eachPage(
      (marker) =>
        context.call('IoT ListCertificates', () =>
          iot.send(new ListCertificatesCommand({ pageSize: PAGE_SIZE, marker, ascendingOrder: true })),
        ),
      (page) => page.nextMarker,
      (page) => {
        for (const c of page.certificates ?? []) {
          listed++;
          if (c.status !== 'ACTIVE') context.skip('IoT device certificate not active');
          else if (c.certificateArn && c.certificateId) active.push(c.certificateArn);
        }
        return listed < IOT_DEVICE_LIST_LIMIT;
      },
    );
    if (unread) context.partial(`IoT device certificates past the oldest ${IOT_DEVICE_LIST_LIMIT} not read`);
    const horizon = Date.now() + IOT_DEVICE_HORIZON_DAYS * 86_400_000;
    const found: DiscoveredResource[] = [];
    await mapWithConcurrency(active, DESCRIBE_CONCURRENCY, async (arn) => {
      const target = `iot-cert:${arn}`;
      // A watched certificate stays wanted (its target checks it); only new ones need describing.
      if (context.isNew(target)) {
        const answer = await context.call('IoT DescribeCertificate', () =>
          iot.send(new DescribeCertificateCommand({ certificateId: arn.split('/').pop() ?? '' })),
        );
        const notAfter = answer.certificateDescription?.validity?.notAfter;
        if (!notAfter || notAfter.getTime() > horizon) {
          context.skip(`IoT device certificate not ending within ${IOT_DEVICE_HORIZON_DAYS} days`);
          return;
        }
      }
      found.push({ target, service: 'iot-device', resource: arn, tags: {} });
    });
    return found;
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadIotDeviceCertificates',
    actions: ['iot:DescribeCertificate'],
    resources: ['arn:{partition}:iot:*:{account}:cert/*'],
    why: 'Any IoT device certificate of this account, any region (public certificates; no keys); read-only.',
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['iot:ListCertificates'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'DescribeIotDeviceCertificates',
    actions: ['iot:DescribeCertificate'],
    resources: ['arn:{partition}:iot:*:{account}:cert/*'],
    why: 'Any IoT device certificate of this account, any region: its validity, to enrol those ending soon; read-only.',
  },
];
