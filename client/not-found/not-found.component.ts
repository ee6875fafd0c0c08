import type { ILocationService } from 'angular';
import template from './not-found.html';
import { pageModule } from '../core/page-module';

class NotFoundController {
  static $inject = ['$location'];
  readonly path: string;

  constructor($location: ILocationService) {
    this.path = $location.path();
  }
}

/**
 * Any address no other page has (the catch-all URL ranks below every other): a "not found" view
 * that keeps the address as typed. The server answers such a page load with status 404.
 */
export default pageModule(
  { name: 'notFound', url: '/*path', component: 'notFound', data: { title: 'Page not found' } },
  { controller: NotFoundController, template },
);
