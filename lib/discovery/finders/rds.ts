// RDS and Aurora DB instances (each `rds:ARN`: its server certificate's end and its CA's). The
// listing carries the tags, so an account of any size costs one call per 100 instances.
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { eachPage } from './pages.ts';
import { tagRecord } from './tags.ts';

export const rdsFinder: Finder = {
  service: 'rds',
  async find(context) {
    const rds = context.client(RDSClient);
    const found: DiscoveredResource[] = [];
    await eachPage(
      (token) =>
        context.call('RDS DescribeDBInstances', () =>
          rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: token })),
        ),
      (page) => page.Marker,
      (page) => {
        for (const instance of page.DBInstances ?? []) {
          const arn = instance.DBInstanceArn;
          if (!arn) continue;
          if (instance.DBInstanceStatus === 'deleting') context.skip('RDS instance being deleted');
          else found.push({ target: `rds:${arn}`, service: 'rds', resource: arn, tags: tagRecord(instance.TagList) });
        }
      },
    );
    return found;
  },
};
