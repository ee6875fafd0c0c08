// Whether the running test has failed so far, as test/support/test-environment.ts records it for
// the afterEach hooks (Jest itself does not tell them).
export const FAILED = Symbol.for('account-security-quickstart.testFailed');

/** In an afterEach hook: whether this test has failed so far (false outside that environment). */
export function testFailed(): boolean {
  return (globalThis as { [FAILED]?: boolean })[FAILED] === true;
}
