// The paging loop every listing shares: ask for a page with the token the previous one gave,
// until a page names none.

/**
 * Reads pages from `read(token)` (the first with no token) and hands each to `each`, until a page
 * names no next token (`next`) or `each` returns false. Returns the token reading stopped at:
 * undefined when the listing was read to its end.
 */
export async function eachPage<P>(
  read: (token: string | undefined) => Promise<P>,
  next: (page: P) => string | undefined,
  each: (page: P) => unknown,
): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await read(token);
    token = next(page);
    if (each(page) === false) return token;
  } while (token);
  return undefined;
}
