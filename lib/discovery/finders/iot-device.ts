// IoT Core device certificates expiring soon. A fleet can hold millions, and only DescribeCertificate
// tells a certificate's end, so this finder is bounded: it lists the oldest active certificates
// first (those most likely to end first), at most IOT_DEVICE_LIST_LIMIT of them, describes those
// not yet watched (8 at a time), and enrols the ones ending within IOT_DEVICE_HORIZON_DAYS (or
// already ended) as `iot-cert:` targets. A listing cut short by the bound is partial: no device
// certificate is taken as gone because of it.
import { DescribeCertificateCommand, IoTClient, ListCertificatesCommand } from '@aws-sdk/client-iot';
import { mapWithConcurrency } from '../../concurrency.ts';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { eachPage } from './pages.ts';

/** Most device certificates listed (and at most described) per account and region each run. */
export const IOT_DEVICE_LIST_LIMIT = 1_000;
/** A device certificate ending within this many days is enrolled. */
export const IOT_DEVICE_HORIZON_DAYS = 90;
const PAGE_SIZE = 250;
const DESCRIBE_CONCURRENCY = 8;

export const iotDeviceFinder: Finder = {
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
