import type { IComponentOptions } from 'angular';
import type { Link } from '../../common/products';
import type { SiteService } from './site.service';
import template from './resource-links.html';

class ResourceLinksController {
  static $inject = ['site'];
  list: 'home' | 'pages' = 'pages';

  constructor(private readonly site: SiteService) {}

  /** The provider's resources (common/products.ts): the home page's list, or the other pages'. */
  get links(): Link[] {
    const product = this.site.product;
    return this.list === 'home' ? product.homeLinks : product.pageLinks;
  }
}

/** `<resource-links list="home">` or `<resource-links list="pages">`. */
export const resourceLinksComponent: IComponentOptions = {
  bindings: { list: '@' },
  controller: ResourceLinksController,
  template,
};
