import type { Product } from '../../common/products';
import type { ApiService, ProtectedContent } from '../core/api.service';
import type { SiteService } from '../core/site.service';
import { RequestState } from '../core/request-state';
import angular from 'angular';
import template from './protected.html';
import { pageModule } from '../core/page-module';
import { authenticatorSetupComponent } from './authenticator-setup.component';
import { passkeyListComponent } from './passkey-list.component';

class ProtectedController {
  static $inject = ['api', 'site'];
  content?: ProtectedContent;
  /** The 2FA provider's words: the original's for Authy, Verify's own on Verify. */
  readonly product: Product;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    site: SiteService,
  ) {
    this.product = site.product;
  }

  $onInit(): void {
    this.state.run(this.api.getProtected(), (content) => {
      this.content = content;
    });
  }
}

/** `/protected`: content from the API, for sessions that passed 2FA; the person's passkeys and authenticator app (Log out is in the header). */
export default angular
  .module(
    pageModule(
      {
        name: 'protected',
        url: '/protected',
        component: 'protectedPage',
        data: { requires: '2fa', title: 'Protected' },
      },
      { controller: ProtectedController, template },
    ),
  )
  .component('passkeyList', passkeyListComponent)
  .component('authenticatorSetup', authenticatorSetupComponent).name;
