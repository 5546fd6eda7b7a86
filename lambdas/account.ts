// Lambda entry of the account function: certificates the AWS account holds (ACM, IAM, Secrets
// Manager, SSM); their SDK clients would not fit the other functions' bundles.
import { AWS_READERS } from '../lib/sources/aws/registry.ts';
import { probeFunction } from './probe-handler.ts';

export const handler = probeFunction(AWS_READERS);
