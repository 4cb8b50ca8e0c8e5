// The error a call throws, for tests that assert on its class and message; a call that returns fails the test.

/** The error `fn` throws; throws itself when `fn` returns normally. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
