// The server project's Jest environment: Node's, and it records whether the running test has
// failed so far (test/support/test-failed.ts), which Jest does not tell its afterEach hooks: the
// browser tests keep a screenshot of a test's final page only then (test/support/browser.ts).
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { FAILED } from './test-failed';

export default class TestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global[FAILED] = false;
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_start') this.global[FAILED] = false;
    // The test's body failed (or timed out), or a beforeEach hook did.
    else if (event.name === 'test_fn_failure' || (event.name === 'hook_failure' && event.hook.type === 'beforeEach')) {
      this.global[FAILED] = true;
    }
  }
}
