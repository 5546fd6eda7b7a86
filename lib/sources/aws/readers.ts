// The AWS readers alone, for a dynamic import (sources/registry.ts): importing registry.ts itself
// would keep its whole namespace, so every kind's finder and grants, in the functions that load
// the AWS readers lazily (admin, `check`, local mode).
export { AWS_READERS } from './registry.ts';
