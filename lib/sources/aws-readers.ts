// The readers of certificates an AWS account holds (ACM, IAM, Secrets Manager, SSM).
import { readAcm } from './acm.ts';
import type { SourceReaders } from './check-source.ts';
import { readIam } from './iam.ts';
import { readSecret, readSsm } from './stored-pem.ts';

export const AWS_READERS: SourceReaders = { acm: readAcm, iam: readIam, secret: readSecret, ssm: readSsm };
