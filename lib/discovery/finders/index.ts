// Every finder: adding a kind of resource to discovery is a new file and a line here.
import type { Finder } from '../discovery-types.ts';
import { acmFinder } from './acm.ts';
import { privateCaFinder } from './acm-pca.ts';
import { apiGatewayFinder, apiGatewayV2Finder } from './apigateway.ts';
import { apiGatewayClientCertFinder } from './apigw-client-cert.ts';
import { appsyncFinder } from './appsync.ts';
import { cloudfrontFinder } from './cloudfront.ts';
import { cognitoFinder } from './cognito.ts';
import { elbTrustStoreFinder } from './elb-truststore.ts';
import { elbv2Finder } from './elbv2.ts';
import { iamFinder } from './iam.ts';
import { iamSamlFinder } from './iam-saml.ts';
import { iotFinder } from './iot.ts';
import { iotDeviceFinder } from './iot-device.ts';
import { rdsFinder } from './rds.ts';
import { secretsFinder } from './secrets.ts';
import { ssmFinder } from './ssm.ts';

export const FINDERS: readonly Finder[] = [
  acmFinder,
  iamFinder,
  iamSamlFinder,
  cognitoFinder,
  iotFinder,
  rdsFinder,
  apiGatewayClientCertFinder,
  elbTrustStoreFinder,
  privateCaFinder,
  iotDeviceFinder,
  secretsFinder,
  ssmFinder,
  cloudfrontFinder,
  elbv2Finder,
  apiGatewayFinder,
  apiGatewayV2Finder,
  appsyncFinder,
];
