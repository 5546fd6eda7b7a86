// The one table of AWS kinds: kind -> its module (one file in this folder, named by the kind; see
// kind-module.ts). Adding an AWS kind is its file, its form in targets/kinds.ts and its lines here;
// the compiler refuses a kind without a module or a reader, and test/unit/kind-registry.test.ts a
// finder left out of AWS_FINDERS. Infra builds the IAM policies from AWS_KIND_MODULES.
//
// The views below name each part by a static property access (acm.read, acm.finder), never the
// module object, so esbuild keeps in each function only the parts it runs: the account function
// the readers, discovery the finders, neither the other's SDK clients nor the grants.
import type { AwsKind } from '../../targets/kinds.ts';
import type { SourceReader } from '../check-source.ts';
import * as acm from './acm.ts';
import * as acmPca from './acm-pca.ts';
import * as apigwClientCert from './apigw-client-cert.ts';
import * as apigwTruststore from './apigw-truststore.ts';
import * as cognito from './cognito.ts';
import * as elbTruststore from './elb-truststore.ts';
import * as iam from './iam.ts';
import * as iamSaml from './iam-saml.ts';
import * as iotCa from './iot-ca.ts';
import * as iotCert from './iot-cert.ts';
import type { AwsKindModule, Finder } from './kind-module.ts';
import * as rds from './rds.ts';
import * as secret from './secret.ts';
import * as ssm from './ssm.ts';

/** Every AWS kind's module, in the order discovery lists them. */
export const AWS_KIND_MODULES = {
  acm,
  iam,
  'iam-saml': iamSaml,
  cognito,
  'iot-ca': iotCa,
  rds,
  'apigw-client-cert': apigwClientCert,
  'elb-truststore': elbTruststore,
  'acm-pca': acmPca,
  'iot-cert': iotCert,
  secret,
  ssm,
  'apigw-truststore': apigwTruststore,
} satisfies Record<AwsKind, AwsKindModule>;

/** The readers of certificates an AWS account holds: the account function's. */
export const AWS_READERS = {
  acm: acm.read,
  iam: iam.read,
  'iam-saml': iamSaml.read,
  cognito: cognito.read,
  'iot-ca': iotCa.read,
  rds: rds.read,
  'apigw-client-cert': apigwClientCert.read,
  'elb-truststore': elbTruststore.read,
  'acm-pca': acmPca.read,
  'iot-cert': iotCert.read,
  secret: secret.read,
  ssm: ssm.read,
  'apigw-truststore': apigwTruststore.read,
} satisfies Record<AwsKind, SourceReader>;

/** The finders of the kinds discovery lists (apigw-truststore is found with its custom domain). */
export const AWS_FINDERS: readonly Finder[] = [
  acm.finder,
  iam.finder,
  iamSaml.finder,
  cognito.finder,
  iotCa.finder,
  rds.finder,
  apigwClientCert.finder,
  elbTruststore.finder,
  acmPca.finder,
  iotCert.finder,
  secret.finder,
  ssm.finder,
];
