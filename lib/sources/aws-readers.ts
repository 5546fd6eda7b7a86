// The readers of certificates an AWS account holds (ACM, IAM, Secrets Manager, SSM, IAM SAML providers, Cognito, IoT CAs, RDS, API Gateway client certificates, ELB trust stores, Private CA, IoT device certificates, API Gateway trust stores).
import { readAcm } from './acm.ts';
import { readPrivateCa } from './acm-pca.ts';
import { readApiGatewayClientCertificate } from './apigw-client-cert.ts';
import { readApiGatewayTrustStore } from './apigw-truststore.ts';
import type { SourceReaders } from './check-source.ts';
import { readCognito } from './cognito.ts';
import { readElbTrustStore } from './elb-truststore.ts';
import { readIam } from './iam.ts';
import { readIamSaml } from './iam-saml.ts';
import { readIotCa } from './iot-ca.ts';
import { readIotDeviceCertificate } from './iot-cert.ts';
import { readRds } from './rds.ts';
import { readSecret, readSsm } from './stored-pem.ts';

export const AWS_READERS: SourceReaders = {
  acm: readAcm,
  iam: readIam,
  secret: readSecret,
  ssm: readSsm,
  'iam-saml': readIamSaml,
  cognito: readCognito,
  'iot-ca': readIotCa,
  rds: readRds,
  'apigw-client-cert': readApiGatewayClientCertificate,
  'elb-truststore': readElbTrustStore,
  'acm-pca': readPrivateCa,
  'iot-cert': readIotDeviceCertificate,
  'apigw-truststore': readApiGatewayTrustStore,
};
