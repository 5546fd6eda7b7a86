// Every finder: the AWS kinds' (sources/aws/registry.ts), then the endpoint finders that are not a
// kind (a TLS endpoint a service serves); adding one of those is a file here and a line below.

import type { Finder } from '../../sources/aws/kind-module.ts';
import { AWS_FINDERS } from '../../sources/aws/registry.ts';
import * as apigateway from './apigateway.ts';
import * as appsync from './appsync.ts';
import * as cloudfront from './cloudfront.ts';
import * as elbv2 from './elbv2.ts';

export const FINDERS: readonly Finder[] = [
  ...AWS_FINDERS,
  cloudfront.finder,
  elbv2.finder,
  apigateway.finder,
  apigateway.v2Finder,
  appsync.finder,
];

/** The endpoint finders' modules: infra reads their grants (findGrants) from here. */
export const ENDPOINT_FINDER_MODULES = { cloudfront, elbv2, apigateway, appsync };

/** The services discovery lists (one finder each). */
export const DISCOVERY_SERVICES = FINDERS.map((f) => f.service);
