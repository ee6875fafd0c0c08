import type { Transition } from '@uirouter/angularjs';
import type { Product } from '../../common/products';
import type { SiteService } from '../core/site.service';
import template from './verified.html';
import { pageModule } from '../core/page-module';

class VerifiedController {
  static $inject = ['site'];
  phone?: string;
  /** The heading names the provider that verified the number. */
  readonly product: Product;

  constructor(site: SiteService) {
    this.product = site.product;
  }
}

/**
 * `/verified`: the success page. No client guard: the server answers a direct load without a
 * verified phone with a 302, and the app comes here only after a successful check.
 */
export default pageModule(
  {
    name: 'verified',
    url: '/verified',
    component: 'verified',
    params: { phone: { value: null, type: 'any' } },
    resolve: { phone: ['$transition$', (trans: Transition): unknown => trans.params().phone] },
    data: { title: 'Phone verified' },
  },
  { bindings: { phone: '<' }, controller: VerifiedController, template },
);
