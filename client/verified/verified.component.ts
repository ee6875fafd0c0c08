import type { Transition } from '@uirouter/angularjs';
import template from './verified.html';
import { pageModule } from '../core/page-module';

/**
 * No client guard: the server answers a direct load without a verified phone with a 302, and
 * the app comes here only after a successful check.
 */
/** `/verified`: the success page. */
export default pageModule(
  {
    name: 'verified',
    url: '/verified',
    component: 'verified',
    params: { phone: { value: null, type: 'any' } },
    resolve: { phone: ['$transition$', (trans: Transition): unknown => trans.params().phone] },
    data: { title: 'Phone verified' },
  },
  { bindings: { phone: '<' }, template },
);
