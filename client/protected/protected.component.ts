import type { StateService } from '@uirouter/angularjs';
import type { Product } from '../../common/products';
import type { ApiService, ProtectedContent } from '../core/api.service';
import type { SiteService } from '../core/site.service';
import { RequestState } from '../core/request-state';
import angular from 'angular';
import template from './protected.html';
import { pageModule } from '../core/page-module';
import { firstRecoveryCodesComponent } from './first-recovery-codes.component';

class ProtectedController {
  static $inject = ['api', '$state', 'site'];
  content?: ProtectedContent;
  /** What the page that sent the person here had to say (/2fa: a recovery code's count, a browser not remembered). */
  said = '';
  /** The 2FA provider's words: the original's for Authy, Verify's own on Verify. */
  readonly product: Product;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
    site: SiteService,
  ) {
    this.product = site.product;
  }

  $onInit(): void {
    const said: unknown = this.$state.params.said;
    this.said = typeof said === 'string' ? said : '';
    this.state.run(this.api.getProtected(), (content) => {
      this.content = content;
    });
  }
}

/** `/protected`: content from the API, for sessions that passed 2FA; the first recovery codes; the way to the account (Log out is in the header). */
export default angular
  .module(
    pageModule(
      {
        name: 'protected',
        url: '/protected',
        component: 'protectedPage',
        data: { requires: '2fa', title: 'Protected' },
        params: { said: null },
      },
      { controller: ProtectedController, template },
    ),
  )
  .component('firstRecoveryCodes', firstRecoveryCodesComponent).name;
